import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';

/** CopyObject takes objects up to 5 GiB; beyond, a multipart upload copies ranges. */
export const SINGLE_COPY_MAX = 5 * 1024 ** 3;
const COPY_PART = 512 * 1024 ** 2;

/** A server-side copy of a large object, part by part (UploadPartCopy); aborted on failure so no parts linger. */
export async function multipartCopy(client: S3Client, bucket: string, from: string, to: string, size: number): Promise<void> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: to }));
  try {
    const parts: Array<{ ETag: string; PartNumber: number }> = [];
    for (let start = 0, n = 1; start < size; start += COPY_PART, n++) {
      const end = Math.min(size, start + COPY_PART) - 1;
      const r = await client.send(
        new UploadPartCopyCommand({ Bucket: bucket, Key: to, UploadId, PartNumber: n, CopySource: `${bucket}/${from}`, CopySourceRange: `bytes=${start}-${end}` }),
      );
      parts.push({ ETag: r.CopyPartResult!.ETag!, PartNumber: n });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
  } catch (err) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: to, UploadId })).catch(() => undefined);
    throw err;
  }
}
