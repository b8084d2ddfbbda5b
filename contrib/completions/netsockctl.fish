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
        case 'status'
            __netsockctl_parse_subcommand 0 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'version' 'h/help'
        case 'iface'
            __netsockctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __netsockctl_parse_subcommand 0 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'version' 'h/help'
            case 'show'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'version' 'h/help'
            case 'up'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'wait-for=' 'version' 'h/help'
            case 'down'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'version' 'h/help'
            case 'set'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'address=' 'netmask=' 'gateway=' 'version' 'h/help'
            case 'dhcp'
                __netsockctl_parse_subcommand 2 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'version' 'h/help'
            case 'default'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'version' 'h/help'
            end
        case 'dns'
            __netsockctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'resolve'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' '4' '6' 'all' 'interface=' 'version' 'h/help'
            case 'servers'
                __netsockctl_parse_subcommand 0 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'interface=' 'version' 'h/help'
            case 'add'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'interface=' 'version' 'h/help'
            case 'reset'
                __netsockctl_parse_subcommand 0 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'version' 'h/help'
            end
        case 'sock'
            __netsockctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __netsockctl_parse_subcommand 0 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'mine' 'version' 'h/help'
            end
        case 'monitor'
            __netsockctl_parse_subcommand -r 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'since=' 'count=' 'version' 'h/help'
        case 'wait-online'
            __netsockctl_parse_subcommand 0 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'interface=' 'version' 'h/help'
        case 'tcp'
            __netsockctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'connect'
                __netsockctl_parse_subcommand 2 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'interface=' 'no-fd' 'tls' 'ca=' 'cert=' 'key=' 'servername=' 'version' 'h/help'
            case 'listen'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'address=' 'interface=' 'keep' 'no-fd' 'version' 'h/help'
            end
        case 'udp'
            __netsockctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'send'
                __netsockctl_parse_subcommand 3 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'size=' 'interface=' 'no-fd' 'version' 'h/help'
            case 'listen'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'address=' 'interface=' 'count=' 'idle=' 'no-fd' 'version' 'h/help'
            end
        case 'ping'
            __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'c=' 'i=' 'W=' 'size=' 'I=' 'version' 'h/help'
        case 'cellular'
            __netsockctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'info'
                __netsockctl_parse_subcommand 0 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'interface=' 'version' 'h/help'
            case 'at'
                __netsockctl_parse_subcommand 1 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'interface=' 'wait-ms=' 'version' 'h/help'
            end
        case 'call'
            __netsockctl_parse_subcommand -r 2 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'params=' 'raw-string' 'secret=' 'secret-file=' 'secret-stdin' 'version' 'h/help'
        case 'info'
            __netsockctl_parse_subcommand 0 's/socket=' 'json' 'jsonl' 'g/get=' 'timeout=' 'version' 'h/help'
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
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'status' -d 'The daemon and all interfaces at a glance.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'iface' -d 'List, show, bring up and down, and configure interfaces.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'dns' -d 'Resolve names and manage DNS servers.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'sock' -d 'Sockets held in the daemon.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'monitor' -d 'Print events as they happen.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'wait-online' -d 'Wait until an interface (the default one unless named) is global_up.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'tcp' -d 'Netcat over the daemon\'s TCP sockets.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'udp' -d 'Send and receive datagrams over the daemon\'s UDP sockets.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'ping' -d 'Send ICMP echo requests through the daemon (Mbed\'s ICMPSocket).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'cellular' -d 'A cellular interface\'s modem: its state, and raw AT commands.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'call' -d 'Call any JSON-RPC method with named params.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'info' -d 'Show the daemon\'s version, socket and interfaces.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl status" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl status" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl status" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl status" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl status" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl status" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface" -eq 1' -fa 'list' -d 'Every interface with its type, stack and status.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface" -eq 1' -fa 'show' -d 'One interface in detail.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface" -eq 1' -fa 'up' -d 'Bring an interface up and wait for an address.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface" -eq 1' -fa 'down' -d 'Take an interface down.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface" -eq 1' -fa 'set' -d 'A static address, netmask and gateway.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface" -eq 1' -fa 'dhcp' -d 'Turn DHCP on or off.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface" -eq 1' -fa 'default' -d 'Make an interface the default for sockets and DNS.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface list" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface list" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface list" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface list" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface list" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface list" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface show" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface show" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface show" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface show" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface show" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface show" -eq 1' -fka '(__netsockctl_custom_completion ---completion iface show -- positional@0 (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface show" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface up" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface up" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface up" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface up" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface up" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface up" -eq 1' -fka '(__netsockctl_custom_completion ---completion iface up -- positional@0 (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface up" wait-for' -l 'wait-for' -d 'local_up or global_up.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface up" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface up" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface down" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface down" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface down" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface down" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface down" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface down" -eq 1' -fka '(__netsockctl_custom_completion ---completion iface down -- positional@0 (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface down" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface down" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface set" -eq 1' -fka '(__netsockctl_custom_completion ---completion iface set -- positional@0 (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" address' -l 'address' -d 'IPv4 or IPv6 address.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" netmask' -l 'netmask' -d 'Netmask (255.255.255.0) or prefix length (24).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" gateway' -l 'gateway' -d 'Gateway address (none when absent).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface dhcp" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface dhcp" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface dhcp" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface dhcp" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface dhcp" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface dhcp" -eq 1' -fka '(__netsockctl_custom_completion ---completion iface dhcp -- positional@0 (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface dhcp" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface dhcp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface default" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface default" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface default" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface default" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface default" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl iface default" -eq 1' -fka '(__netsockctl_custom_completion ---completion iface default -- positional@0 (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface default" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl iface default" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl dns" -eq 1' -fa 'resolve' -d 'Resolve a host name (first address, or all with --all).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl dns" -eq 1' -fa 'servers' -d 'The servers asked, in order.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl dns" -eq 1' -fa 'add' -d 'Put a server in front of the list.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl dns" -eq 1' -fa 'reset' -d 'Empty the cache and drop queries in flight.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" 4' -s '4' -d 'IPv4 only.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" 6' -s '6' -d 'IPv6 only.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" all' -l 'all' -d 'Every address, one per line.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" interface' -l 'interface' -d 'Interface whose servers to ask.' -rfka '(__netsockctl_custom_completion ---completion dns resolve -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns resolve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns servers" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns servers" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns servers" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns servers" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns servers" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns servers" interface' -l 'interface' -d 'Interface.' -rfka '(__netsockctl_custom_completion ---completion dns servers -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns servers" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns servers" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns add" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns add" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns add" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns add" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns add" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns add" interface' -l 'interface' -d 'Only for this interface.' -rfka '(__netsockctl_custom_completion ---completion dns add -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns add" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns reset" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns reset" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns reset" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns reset" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns reset" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns reset" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl dns reset" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl sock" -eq 1' -fa 'list' -d 'Every client\'s sockets (admin), or this connection\'s.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock list" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock list" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock list" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock list" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock list" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock list" mine' -l 'mine' -d 'Only this connection\'s sockets.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock list" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl sock list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" since' -l 'since' -d 'First replay the held events after this seq.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" count' -l 'count' -d 'Exit after this many events.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl monitor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl wait-online" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl wait-online" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl wait-online" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl wait-online" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl wait-online" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl wait-online" interface' -l 'interface' -d 'Interface; the default interface when absent.' -rfka '(__netsockctl_custom_completion ---completion wait-online -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl wait-online" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl wait-online" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl tcp" -eq 1' -fa 'connect' -d 'Connect; stdin goes to the socket, the socket to stdout.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl tcp" -eq 1' -fa 'listen' -d 'Accept one connection (or, with --keep, one after another) and connect it to stdin/stdout.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" interface' -l 'interface' -d 'Interface (the default one when absent).' -rfka '(__netsockctl_custom_completion ---completion tcp connect -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" no-fd' -l 'no-fd' -d 'Move the payload as JSON (socket.send/recv) even when the daemon can pass a descriptor.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" tls' -l 'tls' -d 'TLS over the connection (a TLSSocket); the server must prove itself against --ca.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" ca' -l 'ca' -d 'With --tls: a PEM file of trusted CA certificates, or "system" (the default) for the host\'s store.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" cert' -l 'cert' -d 'With --tls: a client certificate (PEM), for servers that ask for one; needs --key.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" key' -l 'key' -d 'With --tls: the client certificate\'s private key (PEM).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" servername' -l 'servername' -d 'With --tls: the name to send (SNI) and check, when it is not the host given.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp connect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" address' -l 'address' -d 'Local address to bind (any when absent).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" interface' -l 'interface' -d 'Interface.' -rfka '(__netsockctl_custom_completion ---completion tcp listen -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" keep' -l 'keep' -d 'Serve connections one after another until interrupted.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" no-fd' -l 'no-fd' -d 'Move the payload as JSON (socket.send/recv) even when the daemon can pass a descriptor.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl tcp listen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl udp" -eq 1' -fa 'send' -d 'Send DATA as one datagram, or stdin cut into datagrams of --size bytes.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl udp" -eq 1' -fa 'listen' -d 'Receive datagrams on a port and write their payloads to stdout.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" size' -l 'size' -d 'Bytes per datagram when reading stdin.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" interface' -l 'interface' -d 'Interface.' -rfka '(__netsockctl_custom_completion ---completion udp send -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" no-fd' -l 'no-fd' -d 'Send as JSON (socket.sendto) even when the daemon can pass a descriptor.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp send" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" address' -l 'address' -d 'Local address to bind (any when absent).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" interface' -l 'interface' -d 'Interface.' -rfka '(__netsockctl_custom_completion ---completion udp listen -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" count' -l 'count' -d 'Stop after this many datagrams.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" idle' -l 'idle' -d 'Stop when no datagram came for this many seconds.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" no-fd' -l 'no-fd' -d 'Receive as JSON (socket.recvfrom) even when the daemon can pass a descriptor.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl udp listen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" c' -s 'c' -d 'Stop after this many requests.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" i' -s 'i' -d 'Seconds between requests.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" W' -s 'W' -d 'Seconds to wait for the last reply.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" size' -l 'size' -d 'Bytes of data in each request (ping\'s -s; -s here is the control socket).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" I' -s 'I' -d 'Interface to ping from.' -rfka '(__netsockctl_custom_completion ---completion ping -- -I (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl ping" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl cellular" -eq 1' -fa 'info' -d 'IMEI, operator, registration, signal and state of the modem.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_positional "netsockctl cellular" -eq 1' -fa 'at' -d 'Send one AT command to the modem and print its reply (admin).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular info" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular info" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular info" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular info" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular info" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular info" interface' -l 'interface' -d 'A cellular interface (the first one when absent).' -rfka '(__netsockctl_custom_completion ---completion cellular info -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular info" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" interface' -l 'interface' -d 'A cellular interface (the first one when absent).' -rfka '(__netsockctl_custom_completion ---completion cellular at -- --interface (count (__netsockctl_tokens -pc)) (__netsockctl_tokens -tC))'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" wait-ms' -l 'wait-ms' -d 'How long the modem may take (default 10000).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl cellular at" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" params' -l 'params' -d 'Params as a JSON object, @FILE, or - for stdin.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" raw-string' -l 'raw-string' -d 'Take every key=value as a string.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" secret' -l 'secret' -d 'The param that takes a secret (pass, pin, ...): read from --secret-file or --secret-stdin.' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" secret-file' -l 'secret-file' -d 'Read the secret from this file (its first line).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" secret-stdin' -l 'secret-stdin' -d 'Read the secret from stdin (its first line).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl call" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" s socket' -s 's' -l 'socket' -d 'Control socket path (default: $NETSOCKD_SOCKET, then the daemon\'s default).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" json' -l 'json' -d 'Print the daemon\'s JSON objects unchanged (pretty on a terminal).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" jsonl' -l 'jsonl' -d 'One compact JSON text per line (lists and streams).'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" g get' -s 'g' -l 'get' -d 'Print only this field, e.g. ipv4.address (dotted path).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" timeout' -l 'timeout' -d 'Seconds to wait for a reply (0: forever).' -rfka ''
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" version' -l 'version' -d 'Show the version.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl info" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'netsockctl' -n '__netsockctl_should_offer_completions_for_flags_or_options "netsockctl help" version' -l 'version' -d 'Show the version.'
