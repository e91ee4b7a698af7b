// A skill folder's files as the scanner and the pin see them (docs/skills.md). The hash is
// sha256 over the sorted relative paths and contents; anything that is not a plain file or
// folder (a symbolic link, a FIFO) is recorded by kind, and an installed skill never holds
// one, so its appearance alone breaks the pin.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { BINARY_SNIFF_BYTES, scanSkill, scanTextOf, sortFindings, type ScanFile, type ScanFinding } from "../security/skill-scan.js";
import { readRegularFile } from "./regular-file.js";

export const MAX_SKILL_FILES = 2000;
/** Files and folders walked per skill (the pin hash refuses past this too). */
export const MAX_SKILL_ENTRIES = MAX_SKILL_FILES * 5;
/** The scanner reads about 1 MiB a second: a file or skill past these caps is named, not scanned. */
export const MAX_SCANNED_BYTES = 256 * 1024;
/** Total text scanned per skill; files past it are named as not scanned. */
export const MAX_SCANNED_TOTAL = 1024 * 1024;

/**
 * An installed skill is hashed on every agent run (its pin is checked each time): a bigger tree
 * is refused at install and, grown later, fails the check (the skill is hidden).
 */
export const MAX_SKILL_BYTES = 64 * 1024 * 1024;

/** sha256 over the tree: folders, and each file's relative path, size and content hash, sorted. */
export function hashSkillDir(dir: string): string {
  const h = createHash("sha256");
  const root = lstatSync(dir);
  if (root.isSymbolicLink()) h.update(`ROOT-LINK\0${readlinkSync(dir)}\n`);
  let count = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (++count > MAX_SKILL_ENTRIES) throw new Error(`the skill holds more than ${MAX_SKILL_ENTRIES} files and folders, too many to verify against its pin on every run`);
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p).split(sep).join("/");
      if (st.isDirectory()) {
        h.update(`D\0${rel}\n`);
        walk(p);
      } else if (st.isFile()) {
        bytes += st.size;
        if (bytes > MAX_SKILL_BYTES) throw new Error(`the skill holds more than ${MAX_SKILL_BYTES / 1024 / 1024} MiB of files, too much to verify against its pin on every run`);
        const data = readRegularFile(p);
        if (!data) throw new Error(`${rel} changed while it was being read (it is not a regular file)`);
        h.update(`F\0${rel}\0${st.size}\0${createHash("sha256").update(data).digest("hex")}\n`);
      } else if (st.isSymbolicLink()) h.update(`L\0${rel}\0${readlinkSync(p)}\n`);
      else h.update(`X\0${rel}\n`);
    }
  };
  walk(dir);
  return `sha256-${h.digest("hex")}`;
}

/** Is the file binary by its first bytes (skill-scan.ts scanTextOf)? Not a file any more: not text either. */
function sniffBinary(p: string): boolean {
  const head = readRegularFile(p, BINARY_SNIFF_BYTES);
  return head === undefined || scanTextOf(head) === undefined;
}

/**
 * The text files of a skill (binary files, links and oversized files are skipped and named).
 * `unscannedText` names the files among `skipped` that a model could still read as text (too
 * large, past the total, too many files): what the scanner did not see there, it cannot vouch for.
 */
export function readSkillFiles(dir: string, maxEntries = MAX_SKILL_ENTRIES): { files: ScanFile[]; skipped: string[]; unscannedText: string[] } {
  const files: ScanFile[] = [];
  const skipped: string[] = [];
  const unscannedText: string[] = [];
  let total = 0;
  const notScanned = (p: string, rel: string, why: string) => {
    skipped.push(`${rel} (${why})`);
    let binary = false;
    try {
      binary = sniffBinary(p);
    } catch {
      // unreadable: counted as text not scanned
    }
    if (!binary) unscannedText.push(`${rel} (${why})`);
  };
  let entries = 0;
  let stopped = false;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (stopped) return;
      if (name === ".git") continue;
      if (++entries > maxEntries) {
        // A tree of empty folders costs a walk but no scan budget: bounded here.
        const why = `the skill has more than ${maxEntries} files and folders; the rest were not read`;
        skipped.push(why);
        unscannedText.push(why);
        stopped = true;
        return;
      }
      const p = join(d, name);
      const rel = relative(dir, p).split(sep).join("/");
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (!st.isFile()) skipped.push(`${rel} (not a regular file)`);
      else if (files.length >= MAX_SKILL_FILES) notScanned(p, rel, "too many files");
      else if (st.size > MAX_SCANNED_BYTES) notScanned(p, rel, `larger than ${MAX_SCANNED_BYTES / 1024} KiB`);
      else if (total + st.size > MAX_SCANNED_TOTAL) notScanned(p, rel, `the skill has more than ${MAX_SCANNED_TOTAL / 1024 / 1024} MiB of text`);
      else {
        total += st.size;
        const data = readRegularFile(p, MAX_SCANNED_BYTES);
        const text = data && scanTextOf(data);
        if (!data) skipped.push(`${rel} (not a regular file)`);
        else if (text === undefined) skipped.push(`${rel} (binary)`);
        else files.push({ path: rel, text });
      }
    }
  };
  walk(dir);
  return { files, skipped, unscannedText };
}

/**
 * How much text not scanned before (not in the cache) one request may scan. The gateway gives
 * each skills.list a budget, so skills the agent plants in its workspace cannot stall the
 * gateway for seconds per view; the CLI scans everything.
 */
export interface ScanBudget {
  bytes: number;
}

/** Findings per file, keyed by path and content hash: an unchanged file is never scanned twice. */
const SCANNED = new Map<string, ScanFinding[]>();
const MAX_CACHED = 4096;

/** Scan a skill folder. `skipped` lists files the scanner could not read as text (a limit, named). */
export function scanSkillDir(dir: string, budget?: ScanBudget): { findings: ScanFinding[]; skipped: string[]; unscannedText: string[] } {
  const { files, skipped, unscannedText } = readSkillFiles(dir);
  const findings: ScanFinding[] = [];
  for (const f of files) {
    const key = `${f.path}\0${createHash("sha256").update(f.text).digest("base64")}`;
    let found = SCANNED.get(key);
    if (!found) {
      const size = Buffer.byteLength(f.text);
      if (budget && budget.bytes < size) {
        skipped.push(`${f.path} (not scanned by this request: the gateway scans at most a few MiB of new skill text per request; simpleclaw skills check scans everything)`);
        continue;
      }
      if (budget) budget.bytes -= size;
      found = scanSkill([f]);
      if (SCANNED.size >= MAX_CACHED) SCANNED.delete(SCANNED.keys().next().value!);
      SCANNED.set(key, found);
    }
    findings.push(...found);
  }
  return { findings: sortFindings(findings), skipped, unscannedText };
}
