// Small formatting helpers shared by the views.

const UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"];

/** Formats a byte count with binary units, for example "1.5 MiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Returns the last component of a path, for either separator. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** Returns the folder part of a path, or "" when it has none. */
export function folderOf(path: string): string {
  const index = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return index > 0 ? path.slice(0, index) : "";
}

/** Joins a folder and a file name with the folder's own separator. */
export function joinPath(folder: string, name: string): string {
  if (folder === "") return name;
  const separator = folder.includes("\\") && !folder.includes("/") ? "\\" : "/";
  return folder.endsWith(separator) ? folder + name : folder + separator + name;
}

/** Shows an RFC 3339 time without the date's T, for compact tables: "2026-12-04 19:35:42.547877Z". */
export function shortTime(rfc3339: string | null): string {
  return rfc3339 === null ? "none" : rfc3339.replace("T", " ");
}

/** Returns the file stem of a path: its name without the last extension. */
export function fileStem(path: string): string {
  const name = fileName(path);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}
