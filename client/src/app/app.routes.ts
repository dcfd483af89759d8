import type { Routes } from '@angular/router';
import { StartPage } from './start/start-page';

export const routes: Routes = [
  { path: '', component: StartPage, title: 'Raum' },
  // The call code (mediasoup-client and the media layer) loads only when a room is opened.
  { path: 'r/:roomId', loadComponent: () => import('./room/room-page').then((m) => m.RoomPage), title: 'Raum' },
  { path: '**', redirectTo: '' },
];
