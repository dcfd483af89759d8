export function renderUnit(template: string, paths: { root: string; node: string; worker: string }): string;
export function writeUnit(paths: { root: string; node: string; worker: string }): string;
