namespace Fusis.Daemon.CommandLine;

/// <summary>
/// Shell completion for <c>fusis</c>: the shell asks the executable itself, through System.CommandLine's
/// <c>[suggest:POSITION]</c> directive, so completions always match the installed version's flags and values.
/// </summary>
internal static class CompletionScript
{
    public const string Bash = """
        # fusis completion for bash (and zsh with bashcompinit): source <(fusis completion bash)
        _fusis_complete() {
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _fusis_complete fusis

        """;
}
