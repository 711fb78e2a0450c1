/**
 * The shell completion scripts `overture completion bash|zsh|fish` prints. Commands, verbs, options, process and step
 * names are written into the script (from ./completion-model.ts); run ids are asked of `overture __complete run-ids`
 * at the moment of completion, which answers within a bounded time and prints nothing when no server answers.
 */
import type { CompletionModel } from './completion-model';

/** The shells there are scripts for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Only words that need no quoting reach a script (names are kebab- or camel-case; anything else is left out). */
const safe = (words: readonly string[]) => words.filter((w) => /^[A-Za-z0-9._:=-]+$/.test(w));
const words = (list: readonly string[]) => safe(list).join(' ');
/** A text in single quotes for bash, zsh and fish alike ('\'' is not valid in fish, so quotes become ’). */
const quoted = (text: string) => `'${text.replace(/'/g, '’').replace(/\\/g, '/')}'`;

const RUN_IDS = 'command overture __complete run-ids 2>/dev/null';

function bash(m: CompletionModel): string {
  const perCommand = m.commands
    .map((c) => `    ${c.name}) opts=${quoted(words(c.options))}; verbs=${quoted(words(c.verbs))}; kinds=(${words(c.args)}) ;;`)
    .join('\n');
  const values = Object.entries(m.optionValues)
    .map(
      ([o, v]) =>
        `    ${o}) COMPREPLY=($(compgen -W ${quoted(words(v))} -- "$cur"))${o === '--inject' ? '; compopt -o nospace 2>/dev/null' : ''}; return 0 ;;`,
    )
    .join('\n');
  return `# overture completion for bash. Load it with: eval "$(overture completion bash)"  (e.g. in ~/.bashrc)
_overture() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}"
  local opts="" verbs="" kinds=() valued=${quoted(words(m.valued))}
  COMPREPLY=()
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W ${quoted(words(['help', ...m.commands.map((c) => c.name)]))} -- "$cur")); return 0
  fi
  case "$cmd" in
${perCommand}
    help) COMPREPLY=($(compgen -W ${quoted(words(m.commands.map((c) => c.name)))} -- "$cur")); return 0 ;;
    *) return 0 ;;
  esac
  case "$prev" in
${values}
    ${m.fileOptions.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
  esac
  [[ " $valued " == *" $prev "* ]] && return 0
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return 0; fi
  local i w n=0 skip=0
  for ((i = 2; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    if [[ "$w" == --*=* ]]; then continue; fi
    if [[ "$w" == -* ]]; then [[ " $valued " == *" $w "* ]] && skip=1; continue; fi
    n=$((n + 1))
  done
  if [[ -n "$verbs" ]]; then
    [[ $n -eq 0 ]] && COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
    return 0
  fi
  case "\${kinds[n]}" in
    run-id) COMPREPLY=($(compgen -W "$(${RUN_IDS})" -- "$cur")) ;;
    process) COMPREPLY=($(compgen -W ${quoted(words(m.processes))} -- "$cur")) ;;
    step=) COMPREPLY=($(compgen -W ${quoted(words(m.steps.map((s) => `${s}=`)))} -- "$cur")); compopt -o nospace 2>/dev/null ;;
    file) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
  return 0
}
complete -o default -F _overture overture
`;
}

function zsh(m: CompletionModel): string {
  const perCommand = m.commands
    .map((c) => `    ${c.name}) opts=(${words(c.options)}); verbs=(${words(c.verbs)}); kinds=(${words(c.args)}) ;;`)
    .join('\n');
  const values = Object.entries(m.optionValues)
    .map(([o, v]) => `    ${o}) compadd ${o === '--inject' ? "-S '' " : ''}-- ${words(v)}; return ;;`)
    .join('\n');
  const described = m.commands.map((c) => quoted(`${c.name}:${c.summary.replace(/:/g, '\\:')}`)).join(' ');
  return `#compdef overture
# overture completion for zsh. Load it with: eval "$(overture completion zsh)" after compinit (e.g. in ~/.zshrc),
# or save it as _overture in a directory of your $fpath.
_overture() {
  local cmd=\${words[2]} cur=\${words[CURRENT]} prev=\${words[CURRENT-1]}
  local -a opts verbs kinds subcommands
  local -a valued=(${words(m.valued)})
  if (( CURRENT == 2 )); then
    subcommands=(${described})
    _describe 'command' subcommands
    return
  fi
  case $cmd in
${perCommand}
    help) compadd -- ${words(m.commands.map((c) => c.name))}; return ;;
    *) return ;;
  esac
  case $prev in
${values}
    ${m.fileOptions.join('|')}) _files; return ;;
  esac
  (( \${valued[(Ie)$prev]} )) && return
  if [[ $cur == -* ]]; then compadd -- $opts; return; fi
  local i w n=0 skip=0
  for (( i = 3; i < CURRENT; i++ )); do
    w=\${words[i]}
    if (( skip )); then skip=0; continue; fi
    [[ $w == --*=* ]] && continue
    if [[ $w == -* ]]; then (( \${valued[(Ie)$w]} )) && skip=1; continue; fi
    (( n++ ))
  done
  if (( \${#verbs} )); then
    (( n == 0 )) && compadd -- $verbs
    return
  fi
  case \${kinds[n+1]} in
    run-id) compadd -- \${(f)"$(${RUN_IDS})"} ;;
    process) compadd -- ${words(m.processes)} ;;
    step=) compadd -S '' -- ${words(m.steps.map((s) => `${s}=`))} ;;
    file) _files ;;
  esac
}
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _overture "$@"
else
  compdef _overture overture
fi
`;
}

function fish(m: CompletionModel): string {
  const valuedCases = m.valued.map((o) => `'${o}'`).join(' ');
  const lines: string[] = [];
  for (const c of m.commands) {
    lines.push(`complete -c overture -n __fish_use_subcommand -a ${c.name} -d ${quoted(c.summary)}`);
    const when = `'__fish_seen_subcommand_from ${c.name}'`;
    for (const o of c.options) {
      const name = o.slice(2);
      const values = m.optionValues[o];
      if (values) lines.push(`complete -c overture -n ${when} -l ${name} -x -a ${quoted(words(values))}`);
      else if (m.fileOptions.includes(o)) lines.push(`complete -c overture -n ${when} -l ${name} -r -F`);
      else if (m.valued.includes(o)) lines.push(`complete -c overture -n ${when} -l ${name} -x`);
      else lines.push(`complete -c overture -n ${when} -l ${name}`);
    }
    if (c.verbs.length)
      lines.push(`complete -c overture -n '__fish_seen_subcommand_from ${c.name}; and __overture_argc 0' -a ${quoted(words(c.verbs))}`);
    c.args.forEach((kind, i) => {
      const at = `'__fish_seen_subcommand_from ${c.name}; and __overture_argc ${i}'`;
      if (kind === 'run-id') lines.push(`complete -c overture -n ${at} -a '(${RUN_IDS})'`);
      else if (kind === 'process') lines.push(`complete -c overture -n ${at} -a ${quoted(words(m.processes))}`);
      else if (kind === 'step=') lines.push(`complete -c overture -n ${at} -a ${quoted(words(m.steps.map((s) => `${s}=`)))}`);
      else if (kind === 'file') lines.push(`complete -c overture -n ${at} -F`);
    });
  }
  return `# overture completion for fish. Load it with: overture completion fish | source
# (or save it as ~/.config/fish/completions/overture.fish)
function __overture_argc --argument-names want
    # How many positional arguments follow the command (an option's value is not one).
    set -l tokens (commandline -opc)
    set -l n 0
    set -l skip 0
    for t in $tokens[3..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case '--*=*'
            case ${valuedCases || "''"}
                set skip 1
            case '-*'
            case '*'
                set n (math $n + 1)
        end
    end
    test $n = $want
end
complete -c overture -f
complete -c overture -n __fish_use_subcommand -a help -d 'a command’s usage'
complete -c overture -n '__fish_seen_subcommand_from help' -a ${quoted(words(m.commands.map((c) => c.name)))}
${lines.join('\n')}
`;
}

/** The completion script for the shell. */
export function completionScript(shell: Shell, model: CompletionModel): string {
  return { bash, zsh, fish }[shell](model);
}
