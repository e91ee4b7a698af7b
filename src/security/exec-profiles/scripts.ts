// Operands that are programs (docs/exec.md, "Profiles"): a sed script and an awk program are
// parsed far enough to know every command / call they contain, and the ones that run
// commands, read or write named files are reported. Anything not understood is reported too
// (fail closed). Pure.

/** GNU sed script: e, s///e (run commands), w/W, s///w (write files), r/R (read files). */
export function sedScriptProblem(s: string): string | null {
  let i = 0;
  const n = s.length;
  const readDelimited = (delim: string): boolean => {
    while (i < n) {
      const c = s[i]!;
      if (c === "\\") i += 2;
      else if (c === delim) {
        i++;
        return true;
      } else if (c === "\n") return false;
      else i++;
    }
    return false;
  };
  const toEol = () => {
    while (i < n && s[i] !== "\n") i++;
  };
  while (i < n) {
    const c = s[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === ";" || c === "}") {
      i++;
      continue;
    }
    if (c === "#") {
      toEol();
      continue;
    }
    for (let k = 0; k < 2; k++) {
      if (/[0-9$]/.test(s[i] ?? "")) {
        while (i < n && /[0-9$~+]/.test(s[i]!)) i++;
      } else if (s[i] === "/") {
        i++;
        if (!readDelimited("/")) return "it has an unterminated address";
        while (i < n && /[IM]/.test(s[i]!)) i++;
      } else if (s[i] === "\\") {
        const d = s[i + 1];
        if (d === undefined || d === "\n" || d === "\\") return "it has a bad address";
        i += 2;
        if (!readDelimited(d)) return "it has an unterminated address";
        while (i < n && /[IM]/.test(s[i]!)) i++;
      }
      while (i < n && (s[i] === " " || s[i] === "\t")) i++;
      if (k === 0 && s[i] === ",") {
        i++;
        while (i < n && (s[i] === " " || s[i] === "\t")) i++;
      } else break;
    }
    while (i < n && (s[i] === "!" || s[i] === " " || s[i] === "\t")) i++;
    const cmd = s[i];
    if (cmd === undefined) return "it ends with an address and no command";
    i++;
    if (cmd === "{") continue;
    if (cmd === "s" || cmd === "y") {
      const d = s[i];
      if (d === undefined || d === "\n" || d === "\\") return `its ${cmd} command has a bad delimiter`;
      i++;
      if (!readDelimited(d) || !readDelimited(d)) return `its ${cmd} command is unterminated`;
      if (cmd === "y") continue;
      while (i < n && /[gpiImM0-9]/.test(s[i]!)) i++;
      if (s[i] === "e") return "the s///e flag runs the pattern space as a shell command";
      if (s[i] === "w" || s[i] === "W") return "the s///w flag writes a file";
      continue;
    }
    if (cmd === "e") return "the e command runs a shell command";
    if (cmd === "w" || cmd === "W") return `the ${cmd} command writes a file`;
    if (cmd === "r" || cmd === "R") return `the ${cmd} command reads a named file into the output`;
    if ("aic".includes(cmd)) {
      toEol();
      continue;
    }
    if (":btT".includes(cmd)) {
      while (i < n && s[i] !== "\n" && s[i] !== ";") i++;
      continue;
    }
    if ("qQlL".includes(cmd)) {
      while (i < n && /[0-9 ]/.test(s[i]!)) i++;
      continue;
    }
    if ("=dDgGhHnNpPxzF".includes(cmd)) continue;
    return `it has a command ${JSON.stringify(cmd)} that is not understood`;
  }
  return null;
}

const AWK_KEYWORDS = new Set([
  "BEGIN", "END", "BEGINFILE", "ENDFILE", "function", "func", "if", "else", "while", "for", "do", "break", "continue",
  "next", "nextfile", "exit", "return", "delete", "in", "print", "printf", "getline",
]);

/**
 * An awk program: system(), any pipe (`print | "cmd"`, `"cmd" | getline`, `|&`), print/printf
 * output redirection (`> file`, `>> file`), getline from a named file, and gawk `@` directives
 * or indirect calls. `>` outside a print statement (or inside parentheses) is a comparison.
 */
export function awkProgramProblem(src: string): string | null {
  let i = 0;
  const n = src.length;
  let prevOperand = false;
  let inPrint = false;
  let depth = 0;
  let sawGetline = false;
  let sawLess = false;
  while (i < n) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "\n" || c === ";") {
      if (depth === 0) inPrint = false;
      prevOperand = false;
      i++;
      continue;
    }
    if (c === "#") {
      while (i < n && src[i] !== "\n") i++;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && src[i] !== '"') {
        if (src[i] === "\\") i++;
        else if (src[i] === "\n") return "it has an unterminated string";
        i++;
      }
      if (i >= n) return "it has an unterminated string";
      i++;
      prevOperand = true;
      continue;
    }
    if (c === "/" && !prevOperand) {
      i++;
      while (i < n && src[i] !== "/") {
        if (src[i] === "\\") i++;
        else if (src[i] === "[") {
          i++;
          if (src[i] === "^") i++;
          if (src[i] === "]") i++;
          while (i < n && src[i] !== "]") {
            if (src[i] === "\\") i++;
            i++;
          }
        } else if (src[i] === "\n") return "it has an unterminated regular expression";
        i++;
      }
      if (i >= n) return "it has an unterminated regular expression";
      i++;
      prevOperand = true;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      i = j;
      if (word === "system") return "it calls system(), which runs a shell command";
      if (word === "getline") sawGetline = true;
      if (word === "print" || word === "printf") {
        inPrint = true;
        depth = 0;
      }
      prevOperand = !AWK_KEYWORDS.has(word);
      continue;
    }
    if (/[0-9.]/.test(c)) {
      while (i < n && /[0-9.eExXa-fA-F]/.test(src[i]!)) i++;
      prevOperand = true;
      continue;
    }
    if (c === "@") return "it uses a gawk @ directive or indirect call (@load, @include, @f())";
    if (c === "|") {
      if (src[i + 1] === "|") {
        i += 2;
        prevOperand = false;
        continue;
      }
      return "it pipes to or from a command (|)";
    }
    if (c === ">") {
      if (inPrint && depth === 0) return "it redirects print output to a file";
      i += src[i + 1] === "=" ? 2 : 1;
      prevOperand = false;
      continue;
    }
    if (c === "<") sawLess = true;
    if (c === "(" || c === "[") {
      depth++;
      prevOperand = false;
      i++;
      continue;
    }
    if (c === ")" || c === "]") {
      depth = Math.max(0, depth - 1);
      prevOperand = true;
      i++;
      continue;
    }
    if (c === "{" || c === "}") {
      if (c === "}" || depth === 0) inPrint = false;
      prevOperand = false;
      i++;
      continue;
    }
    if (c === "$") {
      prevOperand = false;
      i++;
      continue;
    }
    if (c === "+" || c === "-") {
      // x++ / x-- leave an operand behind
      if (src[i + 1] === c && prevOperand) {
        i += 2;
        continue;
      }
    }
    prevOperand = false;
    i++;
  }
  if (sawGetline && sawLess) return "it reads a named file with getline <";
  return null;
}
