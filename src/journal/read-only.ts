/** Telling a read-only file system (an SD card the kernel remounted after I/O errors) from other failures. */
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';

/** Whether the file system holding `path` refuses writes (EROFS), tested without writing anything. */
export function readOnlyFileSystem(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EROFS';
  }
}

