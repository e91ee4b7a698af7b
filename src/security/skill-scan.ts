// The skill scanner (docs/skills.md "The scanner"): a static tripwire over a skill's text
// files for what poisoned skills on public registries used — download-and-execute, encoded
// payloads run by a shell, reading or sending the state dir, credentials, SSH keys or
// browser profiles, hidden text, and instructions to drop the rules or the approvals.
// Pure: text in, findings out. It is evadable by design (anything a model can read, a
// clever author can phrase another way); it catches the known shapes before install and in
// the audit, it is not a sandbox.

export type ScanSeverity = "critical" | "warn" | "info";

export interface ScanFile {
  /** Relative path inside the skill folder. */
  path: string;
  text: string;
}

export interface ScanFinding {
  checkId: SkillScanCheckId;
  severity: ScanSeverity;
  file: string;
  /** 1-based. */
  line: number;
  message: string;
  /** The offending text, shortened and with invisible characters shown as \u escapes. */
  excerpt: string;
}

export const SKILL_SCAN_CHECKS = {
  "skills.download_exec": "downloads something and runs it (curl/wget piped to a shell, bash <(curl …), $(curl …) run by an interpreter, iwr | iex, or a file fetched, made executable and run)",
  "skills.encoded_exec": "decodes an encoded payload and runs it (base64 -d | sh, exec(b64decode(…)), powershell -EncodedCommand, a long base64 blob piped to an interpreter)",
  "skills.secret_access": "tells the agent to read or send the SimpleClaw state dir, credentials, SSH private keys or browser profiles (cookies, saved logins)",
  "skills.hidden_text": "text a person does not see but the model reads: zero-width characters, bidirectional overrides, HTML comments with instructions",
  "skills.prompt_override": "tells the agent to ignore earlier rules, hide things from the owner, or turn off approvals, the sandbox or exec security",
  "skills.encoded_blob": "a long base64 blob (not itself run): a payload may be hiding in it",
} as const;

export type SkillScanCheckId = keyof typeof SKILL_SCAN_CHECKS;

/** A NUL byte this early makes a file binary (not text a model reads); as git decides. */
export const BINARY_SNIFF_BYTES = 8192;

/**
 * The text the scanner reads from a file's bytes, or undefined when the file is binary: a
 * NUL byte in its first 8 KiB (the read tool refuses a file whose first 64 KiB hold one). A
 * NUL byte further in does not hide the text around it from the model (the read tool returns
 * the text before the 64 KiB piece holding it, `cat` all of it), so that file is scanned as
 * text, its NUL bytes dropped.
 */
export function scanTextOf(bytes: Uint8Array): string | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nul = buf.indexOf(0);
  if (nul === -1) return buf.toString("utf8");
  if (nul < BINARY_SNIFF_BYTES) return undefined;
  return buf.toString("utf8").replaceAll("\0", "");
}

const MAX_LINE = 8192;
/** A file fetched, then run: looked for within this many lines, for this many recent downloads. */
const DOWNLOAD_WINDOW = 40;
const MAX_DOWNLOADS = 16;

/**
 * Characters a person does not see but a model reads: zero-width and bidi controls, soft
 * hyphens, fillers, variation selectors other than the text and emoji ones, interlinear annotations,
 * and the Unicode tag block (U+E0000–E007F), which spells ASCII invisibly ("ASCII smuggling").
 */
const INVISIBLE_RE = /[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u180e\u061c\u3164\ufe00-\ufe0d\uffa0\ufff9-\ufffb\ufeff\u{e0000}-\u{e007f}\u{e0100}-\u{e01ef}]/gu;
const ZWJ = 0x200d;

function showInvisible(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u200d]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`).replace(INVISIBLE_RE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

function excerpt(s: string): string {
  const t = showInvisible(s.trim());
  return t.length > 160 ? `${t.slice(0, 157)}…` : t;
}

/** Text with invisible characters removed and compatibility forms folded, so `cu\u200brl` is curl. */
function normalize(s: string): string {
  return s.normalize("NFKC").replace(INVISIBLE_RE, "").replace(/\u200d/g, "");
}

const SHELLS = String.raw`(?:(?:/usr)?/bin/)?(?:ba|z|da|k|c|tc|fi|a)?sh\b`;
const INTERP = String.raw`(?:${SHELLS}|python[0-9.]*\b|perl\b|ruby\b|node\b|php\b|pwsh\b|powershell(?:\.exe)?\b|osascript\b|iex\b|Invoke-Expression\b|source\s+/dev/stdin|\.\s+/dev/stdin)`;
const FETCH = String.raw`(?:curl|wget|fetch|aria2c|lwp-download|iwr|irm|Invoke-WebRequest|Invoke-RestMethod|(?:New-Object\s+)?(?:System\.)?Net\.WebClient|DownloadString|DownloadFile|http(?:ie)?|xh)\b`;
const SUDO = String.raw`(?:sudo\s+(?:-\S+\s+){0,16})?(?:env\s+(?:\S+=\S*\s+)*)?`;

// Every matcher below is linear in the line's length (no unbounded gap between two
// alternatives inside one regex): a hostile skill must not be able to stall the gateway's
// skills.list or the audit with a pathological line.
type Matcher = (line: string) => boolean;

/** `parts` in this order on the line, each found once (the first match) after the previous. */
function seq(...parts: RegExp[]): Matcher {
  return (line) => {
    let rest = line;
    for (const p of parts) {
      const m = p.exec(rest);
      if (!m) return false;
      rest = rest.slice(m.index + m[0].length);
    }
    return true;
  };
}

/** Some pipeline stage before a single `|` satisfies `left` (all of its regexes), and the stage right after it starts with `right`. */
function piped(left: RegExp[], right: RegExp): Matcher {
  return (line) => {
    const stages = line.split(/(?<!\|)\|(?!\|)/);
    let seen = false;
    for (let i = 0; i < stages.length - 1; i++) {
      if (!seen) seen = left.every((r) => r.test(stages[i]!));
      if (seen && right.test(stages[i + 1]!)) return true;
    }
    return false;
  };
}

const re = (source: string) => new RegExp(source, "i");
/**
 * Commands that run the next word as a program: a pipe into `sudo -u root sh`, `/usr/bin/env
 * bash`, `busybox sh`, `xargs sh -c`, `nohup`/`exec`/`command sh`, `timeout 60 nice -n 5 bash`
 * is a pipe into the shell. Each takes options, numbers, VAR=value and an option's one-word
 * argument (never the interpreter itself); bounded, and anchored at the stage start, so linear.
 */
const WRAPPER = String.raw`(?:(?:/usr)?/s?bin/)?(?:sudo|doas|env|command|exec|nohup|busybox|xargs|nice|ionice|setsid|stdbuf|time|timeout|chroot|su\s+-c)\b`;
const WRAPPER_ARG = String.raw`(?:-[A-Za-z]\s+(?!["']?${INTERP})[^\s|;&"'-]\S*|-\S*|\d\S*|\w+=\S*)`;
const WRAPPED = String.raw`(?:${WRAPPER}(?:\s+${WRAPPER_ARG}){0,8}\s+){0,4}`;
/** The stage after a pipe runs an interpreter: behind wrappers, quoted, or as $SHELL. */
const RUNS_INTERP = re(String.raw`^\s*${SUDO}${WRAPPED}["']?(?:${INTERP}|\$\{?(?:SHELL|BASH)\b)`);
const FETCH_WORD = re(String.raw`\b${FETCH}`);
/** What makes a fetch word a real fetch: a URL, a variable, an option, or a host/path. */
const FETCH_ARG = re(String.raw`[a-z]+:\/\/|\$\{?\w|\s-{1,2}\w|\s["']?[\w.-]+\.[a-z]{2,}\/`);
const CODE_ARG = String.raw`(?:\beval\s+|\b(?:${SHELLS}|python[0-9.]*|perl|ruby|node|php|pwsh|powershell)\s+(?:-\S+\s+){0,16})["']?(?:\$\(|\x60)`;
const DECODE = /\s(?:-d|--decode|-D)\b/i;

const DOWNLOAD_EXEC: Matcher[] = [
  // curl … | sh, wget -O- … | bash, curl … | tee x | sudo bash, iwr … | iex (a Markdown table
  // row "| http | node |" is not a download: the fetch needs a URL, an option or a variable)
  piped([FETCH_WORD, FETCH_ARG], RUNS_INTERP),
  // bash <(curl …), source <(wget …)
  (line) => re(String.raw`(?:${SHELLS}|python[0-9.]*|perl|ruby|node|source|\.)\s+(?:-\S+\s+){0,16}<\(\s*${FETCH}`).test(line),
  // sh -c "$(curl …)", python -c "$(curl …)", eval "$(wget …)", eval `curl …`
  (line) => re(String.raw`${CODE_ARG}\s*${FETCH}`).test(line),
  // iex (iwr …), Invoke-Expression (New-Object Net.WebClient).DownloadString(…)
  (line) => re(String.raw`\b(?:iex|Invoke-Expression)\s*\(?\s*\(?\s*${FETCH}`).test(line),
  // fetched code run by the language itself: exec(urlopen(…).read()), eval(requests.get(…).text),
  // fetch(…).then(r => r.text()).then(eval), eval(Net::HTTP.get(…)), load(io.popen("curl…"))
  seq(/\b(?:exec|eval|compile)\s*\(/i, /\b(?:urlopen|urllib|requests\.(?:get|post)|httpx|http\.client|Net::HTTP|URI\.open|open-uri|fetch|axios|https?\.get|curl|wget)\b/i),
  seq(/\b(?:fetch|axios|https?\.get|got|request)\s*\(/i, /\beval\b|\bnew\s+Function\b|\bFunction\s*\(|\bvm\.run|\bexecSync\b|\bchild_process\b/i),
];

const ENCODED_EXEC: Matcher[] = [
  // base64 -d | sh, echo … | base64 --decode | bash, openssl base64 -d | python
  piped([/\bbase64\b/i, DECODE], RUNS_INTERP),
  // eval "$(echo … | base64 -d)", sh -c "$(… base64 -d)"
  seq(re(CODE_ARG), /\bbase64\b/i, DECODE),
  // exec(base64.b64decode(…)), eval(atob(…)), Function(atob(…))
  (line) => /\b(?:exec|eval|Function)\s*\(\s*(?:[\w.]+\.)?(?:b64decode|decodebytes|atob|decode64)\s*\(/i.test(line),
  (line) => /\bexec\s*\(\s*(?:__import__\(\s*["']base64["']\s*\)|base64)\.b64decode/i.test(line),
  // PowerShell encoded commands and decode-then-run
  seq(/\b(?:pwsh|powershell)(?:\.exe)?\b/i, /\s-(?:e|ec|enc|encodedcommand)\s+[A-Za-z0-9+/=]{16,}/i),
  seq(/FromBase64String/i, /\|\s*(?:iex|Invoke-Expression)\b/i),
  seq(/\b(?:iex|Invoke-Expression)\b/i, /FromBase64String/i),
  // a long base64 blob in a pipeline that ends in an interpreter
  piped([/[A-Za-z0-9+/]{120,}/], RUNS_INTERP),
  // other decoders feeding a shell: xxd -r (hex), openssl enc -d, uudecode, gunzip/zcat, rev
  piped([/\b(?:xxd\s+(?:-\S+\s+){0,16}-r|openssl\s+enc\b.*\s-d\b|uudecode|gunzip|zcat|gzip\s+-d|xz\s+-d|bzip2\s+-d|rev)\b/i], RUNS_INTERP),
  // eval/exec of decoded text in any language: eval(decode_base64(…)), exec(bytes.fromhex(…)),
  // eval(Buffer.from(…, "base64").toString()), Invoke-Expression of FromBase64String
  seq(/\b(?:exec|eval|Function|Invoke-Expression|iex)\b/i, /\b(?:b64decode|decode_base64|decode64|decodebytes|atob|fromhex|unhexlify|FromBase64String|a85decode|b32decode)\b|Buffer\.from\s*\([^)]*["'](?:base64|hex)["']/i),
];

/** Verbs that read, copy or send a file (an instruction to touch it, not a mention). */
const ACT = String.raw`(?:\b(?:cat|less|more|head|tail|read|reads|reading|send|sends|sending|upload|uploads|post|posts|exfiltrate|copy|copies|cp|scp|rsync|tar|zip|7z|base64|xxd|curl|wget|nc|ncat|netcat|socat|include|attach|paste|print|dump|collect|gather|grep|open|share|transmit|forward|email|mail|leak|steal|harvest|archive|encode|sqlite3)\b|contents?\s+of|@~|@\$HOME|--data|-d\s*@|-F\s*\S*=@)`;

interface SecretTarget {
  re: RegExp;
  what: string;
  /** Critical even when mentioned without a verb (no legitimate reason to name it). */
  always?: boolean;
}

const SECRET_TARGETS: SecretTarget[] = [
  { re: /(?:~|\$HOME|\$\{HOME\}|%USERPROFILE%|\/home\/[\w.-]+|\/Users\/[\w.-]+|\/root)[\\/]\.simpleclaw\b|\$\{?SIMPLECLAW_STATE_DIR\}?|\$\{?SIMPLECLAW_GATEWAY_(?:TOKEN|PASSWORD)\}?/i, what: "the SimpleClaw state dir (config, credentials, transcripts)" },
  { re: /\.simpleclaw[\\/](?:credentials|simpleclaw\.json|state\.db|exec-approvals\.json|tls|devices|identity)/i, what: "SimpleClaw's secrets", always: true },
  { re: /\.ssh[\\/](?:id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?|identity)(?!\.pub)\b(?!\.pub)/i, what: "an SSH private key" },
  { re: /\bid_(?:rsa|dsa|ecdsa|ed25519)\b(?!\.pub)/i, what: "an SSH private key" },
  { re: /\.ssh[\\/]id_\*(?!\.pub)/i, what: "an SSH private key" },
  { re: /\.ssh[\\/]?\*|\.ssh[\\/]?\s*$|~\/\.ssh\b(?![\\/](?:config|known_hosts|authorized_keys|id_\w+\.pub))/i, what: "the SSH folder" },
  { re: /\bLogin Data\b|\bcookies\.sqlite\b|\bkey[34]\.db\b|\blogins\.json\b|[\\/](?:Local State|Cookies|Web Data)\b/, what: "a browser's saved logins or cookies" },
  { re: /\.mozilla[\\/]firefox|Firefox[\\/]Profiles|Google[\\/]Chrome[\\/](?:User Data|Default)|google-chrome[\\/]|\.config[\\/]chromium|BraveSoftware[\\/]Brave-Browser|Microsoft[\\/]Edge[\\/]User Data/i, what: "a browser profile" },
  { re: /\.aws[\\/]credentials|\.netrc\b|\.git-credentials\b|\.docker[\\/]config\.json|\.kube[\\/]config|\.config[\\/]gcloud|\.azure[\\/]|\.npmrc\b|\.pypirc\b|\.gnupg\b|\bKeychains?[\\/]|login\.keychain/i, what: "a credentials file" },
  { re: /\.config[\\/](?:gh[\\/]hosts\.yml|git[\\/]credentials|op[\\/]|hub\b)|\.password-store\b|\.local[\\/]share[\\/]keyrings|\.vault-token\b|\.terraform\.d[\\/]credentials|\.bash_history\b|\.zsh_history\b/i, what: "a credentials file" },
  { re: /\bwallet\.dat\b|\.electrum\b|\bExodus[\\/]|\.ethereum[\\/]keystore|\.config[\\/]solana[\\/]id\.json|\b(?:MetaMask|Phantom)\b[^.\n]{0,40}\b(?:vault|extension|seed|keys?)\b|\bseed phrase\b|\btdata\b/i, what: "a crypto wallet or messenger session" },
  { re: /\b(?:printenv|env|set|Get-ChildItem\s+env:)\s*\|\s*(?:curl|wget|nc|ncat|base64)\b/i, what: "the environment (API keys, tokens)", always: true },
  { re: /(?:`(?:printenv|env|set|export -p)`|\bprintenv\b|\boutput of `?(?:env|printenv)`?|\ball (?:of )?(?:your |the )?environment variables)(?=[^\n]{0,80}\b(?:send|sends|upload|post|paste|include|email|forward|share)\b)/i, what: "the environment (API keys, tokens)", always: true },
];

const OVERRIDE: Array<{ re: RegExp; what: string }> = [
  {
    re: /\b(?:ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}\b(?:previous|prior|earlier|above|preceding|all|any|your|system|safety|original)\b[^.\n]{0,30}\b(?:instructions?|rules?|prompts?|guidelines|directives|polic(?:y|ies)|constraints|guardrails)\b/i,
    what: "tells the agent to ignore its earlier rules",
  },
  { re: /\b(?:you are no longer|from now on you are|new system prompt|system override|developer mode|jailbreak|DAN mode)\b/i, what: "tries to replace the agent's instructions" },
  {
    re: /\b(?:disable|turn off|switch off|bypass|circumvent|get around|skip|avoid|evade|escape)\s(?:[^.\n]{0,40}\s)?(?:exec )?(?:approvals?|approval prompts?|the sandbox|sandbox(?:ing)?|exec security|security checks?|the allowlist|tool policy)\b/i,
    what: "tells the agent to get around approvals, the sandbox or exec security",
  },
  { re: /\b(?:security|tools\.exec\.security)\b["']?\s*[:=]\s*["']?full\b|\bsecurity\s+(?:to|=)\s+["']?full\b/i, what: "turns exec security to full" },
  { re: /\b(?:ask|tools\.exec\.ask)\b["']?\s*[:=]\s*["']?off\b|\bask\s+to\s+["']?off\b/i, what: "turns exec approvals off" },
  { re: /\bsandbox(?:\.mode)?\b["']?\s*[:=]\s*["']?off\b|\bsandbox\.mode\s+(?:to\s+)?["']?off\b|\bworkspaceOnly\b["']?\s*[:=]\s*["']?false\b/i, what: "turns the sandbox or workspace containment off" },
  {
    re: /\bsimpleclaw\s+(?:config\s+(?:set|unset)|configure|approvals\s+(?:allow|add|allowlist)|pairing\s+approve|devices\s+approve|cron\s+approve|skills\s+(?:allow|install)|plugins\s+(?:install|allow|enable)|security\s+audit\s+--fix|import)\b|\bexec-approvals\.json\b/i,
    what: "tells the agent to change SimpleClaw's own security settings",
  },
  {
    re: /\b(?:do not|don't|never)\s+(?:tell|inform|mention|reveal|show|let)\b[^.\n]{0,30}\b(?:the )?(?:user|owner|operator|human)\b|\bwithout (?:telling|informing|asking|notifying|mentioning (?:it|this|that)?\s*to|letting) (?:the )?(?:user|owner|operator)\b|\b(?:silently|secretly|covertly|quietly|stealthily)\s+(?:run|execute|send|upload|install|download|post|copy)\b/i,
    what: "tells the agent to act behind the owner's back",
  },
];

const COMMENT_INSTRUCTION =
  /\b(?:ignore|disregard|assistant|agent|AI|model|LLM|system prompt|you must|you should|you will|instead|run|execute|curl|wget|download|send|upload|do not tell|secretly|silently|important|override)\b/i;

function isPictographic(cp: number | undefined): boolean {
  if (cp === undefined) return false;
  return /\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F/u.test(String.fromCodePoint(cp));
}

/** Zero-width characters and bidi controls (a ZWJ inside an emoji sequence is fine). */
function hiddenChars(line: string): string[] {
  const found: string[] = [];
  const cps = [...line].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp === ZWJ) {
      if (isPictographic(cps[i - 1]) && isPictographic(cps[i + 1])) continue;
      found.push("U+200D ZERO WIDTH JOINER");
    } else if (cp === 0xfeff && i === 0) {
      continue; // a byte-order mark at the start of the file is harmless (checked by the caller)
    } else if (new RegExp(INVISIBLE_RE.source, "u").test(String.fromCodePoint(cp))) {
      found.push(`U+${cp.toString(16).toUpperCase().padStart(4, "0")}`);
    }
  }
  return [...new Set(found)];
}

/** A line longer than MAX_LINE is read in pieces of MAX_LINE that overlap by this much. */
const LINE_OVERLAP = 1024;

/**
 * Logical lines: a trailing backslash continues the line (shell style). `start` is the 1-based
 * first line. A line longer than MAX_LINE becomes overlapping pieces with the same `start`
 * (only the first carries the full `length`): the model reads the whole line, so the scanner
 * does too, in bounded pieces.
 */
function logicalLines(text: string): Array<{ start: number; text: string; raw: string; length: number }> {
  const phys = text.split(/\r?\n/);
  const out: Array<{ start: number; text: string; raw: string; length: number }> = [];
  for (let i = 0; i < phys.length; i++) {
    const start = i + 1;
    let raw = phys[i]!;
    while (raw.trimEnd().endsWith("\\") && i + 1 < phys.length && raw.length < MAX_LINE) raw = `${raw.trimEnd().slice(0, -1)} ${phys[++i]!}`;
    out.push({ start, raw: raw.slice(0, MAX_LINE), text: normalize(raw.slice(0, MAX_LINE)), length: raw.length });
    for (let at = MAX_LINE - LINE_OVERLAP; at + LINE_OVERLAP < raw.length; at += MAX_LINE - LINE_OVERLAP) {
      const piece = raw.slice(at, at + MAX_LINE);
      out.push({ start, raw: piece, text: normalize(piece), length: piece.length });
    }
  }
  return out;
}

/** A download that saves to a file: the file's name, for the fetch → chmod → run check. */
function downloadTarget(line: string): string | undefined {
  if (!new RegExp(String.raw`\b${FETCH}`, "i").test(line)) {
    // prose: "Download https://… to ~/bin/tool", "save https://… as tool"
    if (!/\b(?:download|save|fetch|grab|get)\b/i.test(line)) return undefined;
    return /https?:\/\/\S+\s+(?:to|into|as)\s+[`"']?([^\s`"',;]+)/i.exec(line)?.[1];
  }
  const o =
    /(?:\s-[a-zA-Z]*o(?:\s+|(?=[./~$]))|\s--output[=\s]+|\s-[a-zA-Z]*O\s+(?!-)|\s--output-document[=\s]+|-OutFile\s+|\s>\s*)["']?([^\s"'|;&>]+)/.exec(line) ??
    /\bDownloadFile\([^,]+,\s*["']([^"']+)["']/i.exec(line);
  if (o && o[1] !== "-" && o[1] !== "/dev/null") return o[1];
  // curl -O / wget URL: the URL's last path segment
  if (/\bcurl\b[^\n]*\s-[a-zA-Z]*O\b/.test(line) || (/\bwget\b/i.test(line) && !/\s-q?O\s*-/.test(line))) {
    const url = /https?:\/\/[^\s"'|;)]+/.exec(line)?.[0];
    try {
      const seg = url ? new URL(url).pathname.split("/").filter(Boolean).pop() : undefined;
      if (seg) return decodeURIComponent(seg);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `chmod +x`, `chmod u+rx`, `chmod 755`, `chmod 0700`: a mode that sets an execute bit. */
function makesExecutable(chmod: string): boolean {
  const mode = /^chmod\s+(?:-\S+\s+){0,16}["'`]?([^\s"'`]+)/i.exec(chmod)?.[1] ?? "";
  if (/^[0-7]{3,4}$/.test(mode)) return /[1357]/.test(mode.slice(-3));
  return /(?:^|,)[ugoa]*[+=][rwXst]*x/.test(mode);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Where a downloaded file is later run: ./x or /path/x in command position, sh x / python x, Start-Process x. */
const runsFileCache = new Map<string, RegExp[]>();

function runsFile(line: string, name: string): boolean {
  let res = runsFileCache.get(name);
  if (!res) {
    const base = escapeRe(name.split(/[\\/]/).pop()!);
    const cmdStart = String.raw`(?:^|&&|\|\||[;|(&]|\bsudo\s+|\bthen\s+|\bdo\s+|\bexec\s+|\bnohup\s+)\s*`;
    // folders before the name: bounded, so a long path-like line cannot make this quadratic
    const dirs = String.raw`(?:[\w.~$-]{0,64}/){0,8}`;
    res = [
      new RegExp(cmdStart + String.raw`(?:\./|\.\\|/|~/|\$\{?\w+\}?/)${dirs}${base}(?=["'\s;&)]|$)`, "i"),
      new RegExp(String.raw`\b${INTERP}\s+(?:-\S+\s+){0,16}["']?${dirs}${base}(?=["'\s;&)]|$)`, "i"),
      new RegExp(String.raw`Start-Process\s+["']?(?:[\w.:-]{0,64}[\\/]){0,8}${base}\b`, "i"),
    ];
    if (runsFileCache.size > 256) runsFileCache.clear();
    runsFileCache.set(name, res);
  }
  return res.some((r) => r.test(line));
}

function scanLines(file: ScanFile, add: (f: Omit<ScanFinding, "file">) => void): void {
  const lines = logicalLines(file.text);
  const downloads: Array<{ name: string; line: number; text: string; chmod: boolean }> = [];
  for (const { start, text, raw, length } of lines) {
    if (length > MAX_LINE) {
      add({ checkId: "skills.hidden_text", severity: "warn", line: start, message: `a line of ${length} characters: text far to the right is easy to miss`, excerpt: excerpt(raw.slice(0, 80)) });
    }
    // hidden characters (on the raw text)
    const hidden = hiddenChars(start === 1 ? raw.replace(/^\ufeff/, "") : raw);
    if (hidden.length) {
      add({ checkId: "skills.hidden_text", severity: "critical", line: start, message: `invisible characters ${hidden.join(", ")}: what a person reads is not what the model reads`, excerpt: excerpt(raw) });
    }
    let matched = false;
    for (const m of ENCODED_EXEC) {
      if (m(text)) {
        add({ checkId: "skills.encoded_exec", severity: "critical", line: start, message: "decodes an encoded payload and runs it", excerpt: excerpt(text) });
        matched = true;
        break;
      }
    }
    if (!matched) {
      for (const m of DOWNLOAD_EXEC) {
        if (m(text)) {
          add({ checkId: "skills.download_exec", severity: "critical", line: start, message: "downloads something and runs it at once, unseen", excerpt: excerpt(text) });
          matched = true;
          break;
        }
      }
    }
    // fetch → (chmod) → run, across lines
    const target = downloadTarget(text);
    if (target) downloads.push({ name: target, line: start, text, chmod: false });
    // fetch → run is looked for within DOWNLOAD_WINDOW lines, for the most recent downloads only (bounded work)
    while (downloads.length && (downloads.length > MAX_DOWNLOADS || start - downloads[0]!.line > DOWNLOAD_WINDOW)) downloads.shift();
    for (const d of downloads) {
      const base = d.name.split(/[\\/]/).pop()!;
      if (!base || !text.includes(base)) continue; // cheap test first: the name must be on this line
      const chmodAt = text.search(/\bchmod\b/i);
      if (chmodAt >= 0 && text.slice(chmodAt).includes(base)) {
        d.chmod = true;
        // a downloaded file made executable is a program about to run, whoever names the run
        if (!matched && makesExecutable(text.slice(chmodAt))) {
          add({ checkId: "skills.download_exec", severity: "critical", line: d.line, message: `downloads ${d.name} and makes it executable (line ${start})`, excerpt: excerpt(d.text) });
          matched = true;
          d.name = "\0";
          continue;
        }
      }
      // run on a later line, or after && / ; on the download line itself
      const later = start > d.line ? text : text.split(/&&|;/).slice(1).join(" ; ");
      if (later && runsFile(later, d.name) && !matched) {
        add({ checkId: "skills.download_exec", severity: "critical", line: d.line, message: `downloads ${d.name}${d.chmod ? ", makes it executable" : ""} and runs it (line ${start})`, excerpt: excerpt(d.text) });
        matched = true;
        d.name = "\0"; // report once
      }
    }
    // long blob not run (warn)
    if (!matched && /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{400,}={0,2}/.test(text) && !/data:[\w/+.-]+;base64,/.test(text)) {
      add({ checkId: "skills.encoded_blob", severity: "warn", line: start, message: "a long base64 blob: check what it decodes to", excerpt: excerpt(text) });
    }
    // secrets
    for (const t of SECRET_TARGETS) {
      const m = t.re.exec(text);
      if (!m) continue;
      const acts = new RegExp(ACT, "i").test(text);
      if (t.always || acts) {
        add({ checkId: "skills.secret_access", severity: "critical", line: start, message: `reads or sends ${t.what}`, excerpt: excerpt(text) });
      } else {
        add({ checkId: "skills.secret_access", severity: "warn", line: start, message: `mentions ${t.what}`, excerpt: excerpt(text) });
      }
      break;
    }
    // overrides
    for (const o of OVERRIDE) {
      if (o.re.test(text)) {
        add({ checkId: "skills.prompt_override", severity: "critical", line: start, message: o.what, excerpt: excerpt(text) });
        break;
      }
    }
  }
}

/** HTML comments in Markdown that speak to the model (invisible when rendered). */
function scanComments(file: ScanFile, add: (f: Omit<ScanFinding, "file">) => void): void {
  if (!/\.(?:md|markdown|mdx|txt|html?)$/i.test(file.path)) return;
  const re = /<!--([\s\S]*?)(?:-->|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(file.text))) {
    const body = normalize(m[1]!);
    if (!COMMENT_INSTRUCTION.test(body)) continue;
    const line = file.text.slice(0, m.index).split("\n").length;
    add({ checkId: "skills.hidden_text", severity: "critical", line, message: "an HTML comment (hidden when the Markdown is rendered) carries instructions for the model", excerpt: excerpt(body) });
  }
}

/** Scan a skill's text files. Findings are sorted by file and line; one per check id and line. */
export function scanSkill(files: readonly ScanFile[]): ScanFinding[] {
  const out: ScanFinding[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const add = (x: Omit<ScanFinding, "file">) => {
      const key = `${f.path}\0${x.line}\0${x.checkId}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push({ ...x, file: f.path });
    };
    scanLines(f, add);
    scanComments(f, add);
  }
  return sortFindings(out);
}

const RANK = { critical: 0, warn: 1, info: 2 };

/** Findings in report order: by file, line, then severity. Sorts in place. */
export function sortFindings(findings: ScanFinding[]): ScanFinding[] {
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || RANK[a.severity] - RANK[b.severity]));
}

/** The worst severity among findings, or undefined. */
export function worstSeverity(findings: readonly ScanFinding[]): ScanSeverity | undefined {
  if (findings.some((f) => f.severity === "critical")) return "critical";
  if (findings.some((f) => f.severity === "warn")) return "warn";
  return findings.length ? "info" : undefined;
}
