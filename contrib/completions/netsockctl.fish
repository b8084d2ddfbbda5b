function __netsockctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __netsockctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __netsockctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __netsockctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __netsockctl_parse_tokens -S
    set -l unparsed_tokens (__netsockctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'netsockctl'
        __netsockctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'call'
            __netsockctl_parse_subcommand -r 2 's/socket=' 'json' 'timeout=' 'params=' 'raw-string' 'version' 'h/help'
        case 'info'
            __netsockctl_parse_subcommand 0 's/socket=' 'json' 'timeout=' 'version' 'h/help'
        case 'monitor'
            __netsockctl_parse_subcommand -r 1 's/socket=' 'json' 'timeout=' 'since=' 'count=' 'version' 'h/help'
        case 'help'
            __netsockctl_parse_subcommand -r 1 'version'
        end
    end
end

function __netsockctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __netsockctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __netsockctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __netsockctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__netsockctl_tokens -p)
    if test -z "$(__netsockctl_tokens -t)"
        set -l index (count (__netsockctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'netsockctl' -f
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'call' -d 'Call any JSON-RPC method with named params.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'info' -d 'Show the daemon\'s version, socket and interfaces.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'monitor' -d 'Print events as they happen.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" params' -l 'params' -d 'Params as a JSON object, @FILE, or - for stdin.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" raw-string' -l 'raw-string' -d 'Take every key=value as a string.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" since' -l 'since' -d 'First replay the held events after this seq.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" count' -l 'count' -d 'Exit after this many events.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl help" version' -l 'version' -d 'Show the version.'
