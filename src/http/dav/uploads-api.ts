import type { ChunkedUploadsService } from '../../services/files/chunked-uploads.service.js';

/** The chunk staging the uploads endpoint needs (implemented by ChunkedUploadsService). */
export type UploadsApi = Pick<ChunkedUploadsService, 'create' | 'info' | 'putChunk' | 'chunks' | 'open' | 'assemble' | 'remove'>;
export type { ChunkInfo, UploadInfo } from '../../services/files/chunked-uploads.service.js';
