// A local file an upload may read: only in stdio mode (the person's own machine), only a regular
// file whose real path (symlinks resolved, so none leads out) lies inside one of the client's
// roots, and only up to the size Asana takes. Read as a Blob, streamed when sent, from the very
// file that was checked: it is held open until the upload ends.
import { constants, openAsBlob } from "node:fs";
import { type FileHandle, open, realpath, stat } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, sep } from "node:path";
import { AppError } from "../errors.js";
import { heldSecrets } from "../log.js";
import type { ToolContext } from "./define.js";

export interface LocalFile {
  blob: Blob;
  /** The file's own name (of the path given, before symlinks are followed). */
  name: string;
  size: number;
  /** Lets the file go once the upload has ended (its Blob reads no more after). */
  close(): Promise<void>;
}

/**
 * Where an open file can be named by its descriptor: a Blob opened there reads the file the
 * descriptor holds, whatever its path has come to name since. Elsewhere the checked real path is
 * read (a folder swapped for a symlink between the check and the read could still redirect it).
 */
const DESCRIPTOR_DIRS: Partial<Record<NodeJS.Platform, string>> = {
  linux: "/proc/self/fd",
  darwin: "/dev/fd",
};

/** Content types Asana previews by; anything else goes as application/octet-stream. */
const TYPES: Record<string, string> = {
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".csv": "text/csv",
  ".json": "application/json",
  ".zip": "application/zip",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  ".mp4": "video/mp4",
};

const refuse = (message: string, hint?: string) =>
  new AppError("invalid_input", `path: ${message}`, hint ? { hint } : {});

export async function openLocalFile(
  path: string,
  context: ToolContext,
  maxBytes: number,
): Promise<LocalFile> {
  if (!context.localFiles) {
    throw refuse(
      "this server runs in http mode, where a path would name a file on the server, not on your machine, so local files cannot be uploaded.",
      "Attach a url instead, or use asana-mcp over stdio on your own machine to upload a local file.",
    );
  }
  if (!isAbsolute(path)) throw refuse(`${JSON.stringify(path)} is not an absolute path.`);
  const unreadable = (error: unknown) => refuse(`${path} ${fsProblem(error)}.`);
  let roots: string[];
  try {
    roots = await context.localFiles.roots(context.signal);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw refuse(`the client's roots could not be read (${why}), so no local file may be read.`);
  }
  // Roots compared as real paths too: a root that is itself a symlink still holds what it points at.
  const real = (p: string) => realpath(p).catch(() => undefined);
  const realRoots = (await Promise.all(roots.map(real))).filter((r): r is string => r !== undefined);
  const named = roots.length ? roots.join(", ") : "none";
  let target: string;
  try {
    target = await realpath(path);
  } catch (error) {
    throw unreadable(error);
  }
  const inside = realRoots.some(
    (root) => target === root || target.startsWith(root.endsWith(sep) ? root : root + sep),
  );
  if (!inside) {
    throw refuse(
      `${path}${target === path ? "" : ` (which resolves to ${target})`} is outside the client's roots (${named}); only files inside them may be uploaded.`,
      "Give a file inside one of the roots, or add its folder to the client's roots.",
    );
  }
  const info = await stat(target).catch((error: unknown) => {
    throw unreadable(error);
  });
  if (info.isDirectory()) throw refuse(`${path} is a directory, not a file.`);
  if (!info.isFile()) throw refuse(`${path} is not a regular file.`);
  // Their sizes say 0 while they hold the server's own environment (/proc/self/environ, with its
  // tokens) or live kernel state: never documents, so never read, whatever Node reads of them.
  if (process.platform === "linux" && /^\/(?:proc|sys|dev)(?:\/|$)/.test(target)) {
    throw refuse(
      `${path} is a file of the system's /proc, /sys or /dev, not a document; it is never uploaded.`,
    );
  }
  const own = await credentialFileOf(target, info, context);
  if (own) {
    throw refuse(
      `${path} is ${own}, where this server keeps credentials, so it is never uploaded.`,
      "Attach another file.",
    );
  }
  if (info.size > maxBytes) {
    throw refuse(
      `${path} is ${info.size} bytes, more than Asana's limit of 100 MB (${maxBytes} bytes) per file; it was not sent.`,
    );
  }
  const type = TYPES[extname(target).toLowerCase()] ?? "application/octet-stream";
  // Opened only now, and read only if it is the file checked above (same device and inode): a
  // folder on the way swapped for a symlink since the check would open another file. O_NONBLOCK:
  // a FIFO put in its place answers at once instead of holding the call.
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  const handle: FileHandle = await open(target, flags).catch((error: unknown) => {
    throw unreadable(error);
  });
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.dev !== info.dev || opened.ino !== info.ino) {
      throw refuse(`${path} was replaced while it was being checked; it was not sent.`, "Try again.");
    }
    const dir = DESCRIPTOR_DIRS[process.platform];
    const blob = await openAsBlob(dir ? `${dir}/${handle.fd}` : target, { type }).catch((error: unknown) => {
      throw unreadable(error);
    });
    // The Blob takes the file's size when opened: a file that grew after the check is refused too.
    if (blob.size > maxBytes) {
      throw refuse(
        `${path} grew to ${blob.size} bytes while it was being opened, more than 100 MB; it was not sent.`,
      );
    }
    // A client's own configuration (Cursor's .cursor/mcp.json, Claude Code's .mcp.json) keeps this
    // server's tokens inside the project it declares as a root, under any name: its bytes are read
    // for them. Read after the Blob was taken, which refuses to read a file changed since.
    if (await holdsSecret(handle)) {
      throw refuse(
        `${path} holds a token of this server (a client's configuration, or a copy of one), so it is never uploaded.`,
        "Attach another file.",
      );
    }
    return { blob, name: basename(path), size: blob.size, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Whether the open file's bytes hold one of the secrets the server holds (src/log.ts). */
async function holdsSecret(handle: FileHandle): Promise<boolean> {
  const needles = heldSecrets().map((secret) => Buffer.from(secret));
  if (needles.length === 0) return false;
  // Read a MiB at a time, each read keeping the last bytes before it, so none is missed across two.
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  const buffer = Buffer.allocUnsafe((1 << 20) + overlap);
  let kept = 0;
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, position);
    if (bytesRead === 0) return false;
    position += bytesRead;
    const filled = kept + bytesRead;
    const view = buffer.subarray(0, filled);
    if (needles.some((needle) => view.includes(needle))) return true;
    kept = Math.min(overlap, filled);
    buffer.copy(buffer, 0, filled - kept, filled);
  }
}

/**
 * Which of the server's own credential files the file is (the .env it read its configuration
 * from, the OAuth login's file), by device and inode: a symlink or a hard link to one is that file.
 */
async function credentialFileOf(
  target: string,
  info: { dev: number; ino: number },
  context: ToolContext,
): Promise<string | undefined> {
  const { envFile, oauth } = context.config;
  // A write of the login's file killed before its rename leaves `<file>.<pid>.<hex>.tmp` beside it.
  const login = oauth.tokenStore.path;
  const loginDir = await realpath(dirname(login)).catch(() => undefined);
  if (
    loginDir !== undefined &&
    dirname(target) === loginDir &&
    basename(target).startsWith(`${basename(login)}.`) &&
    basename(target).endsWith(".tmp")
  ) {
    return "a copy of the file of this server's OAuth login";
  }
  const files: Array<[string | undefined, string]> = [
    [envFile, "the .env file this server read its configuration from"],
    [oauth.tokenStore.path, "the file of this server's OAuth login"],
  ];
  for (const [file, what] of files) {
    if (file === undefined) continue;
    const other = await stat(file).catch(() => undefined);
    if (other && other.dev === info.dev && other.ino === info.ino) return what;
  }
  return undefined;
}

function fsProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ENOENT" || code === "ENOTDIR") return "does not exist";
  if (code === "EACCES" || code === "EPERM") return "cannot be read (permission denied)";
  if (code === "ELOOP") return "is a loop of symlinks";
  return `cannot be read (${typeof code === "string" ? code : String(error)})`;
}
