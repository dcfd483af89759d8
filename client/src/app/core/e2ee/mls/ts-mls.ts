// The parts of ts-mls that Raum uses, from their own modules: the package
// index also exports its @noble-based provider, whose optional dependencies
// Raum does not install (every primitive of our suite is in WebCrypto).
export { getCiphersuiteImpl } from 'ts-mls/crypto/getCiphersuiteImpl.js';
export { getCiphersuiteFromName, type CiphersuiteImpl, type CiphersuiteName } from 'ts-mls/crypto/ciphersuite.js';
export { generateKeyPackageWithKey, type KeyPackage, type PrivateKeyPackage } from 'ts-mls/keyPackage.js';
export { defaultCapabilities } from 'ts-mls/defaultCapabilities.js';
export { defaultLifetime } from 'ts-mls/lifetime.js';
export { defaultLifetimeConfig } from 'ts-mls/lifetimeConfig.js';
export { defaultKeyRetentionConfig } from 'ts-mls/keyRetentionConfig.js';
export { defaultKeyPackageEqualityConfig } from 'ts-mls/keyPackageEqualityConfig.js';
export { defaultPaddingConfig } from 'ts-mls/paddingConfig.js';
export { createGroup, joinGroup, type ClientState } from 'ts-mls/clientState.js';
export { createCommit, type CreateCommitResult } from 'ts-mls/createCommit.js';
export { processPrivateMessage } from 'ts-mls/processMessages.js';
export { createApplicationMessage } from 'ts-mls/createMessage.js';
export { mlsExporter } from 'ts-mls/keySchedule.js';
export { decodeMlsMessage, encodeMlsMessage, type MLSMessage } from 'ts-mls/message.js';
export { decryptSenderData } from 'ts-mls/privateMessage.js';
export type { ClientConfig } from 'ts-mls/clientConfig.js';
export type { Credential } from 'ts-mls/credential.js';
export type { Proposal } from 'ts-mls/proposal.js';
export type { PskIndex } from 'ts-mls/pskIndex.js';
export type { RatchetTree } from 'ts-mls/ratchetTree.js';
