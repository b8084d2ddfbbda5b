#!/bin/bash

__netsockctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__netsockctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__netsockctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__netsockctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_netsockctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __netsockctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    status|iface|dns|sock|monitor|wait-online|tcp|udp|ping|cellular|wifi|call|info|help)
        # Offer subcommand argument completions
        "_netsockctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'status iface dns sock monitor wait-online tcp udp ping cellular wifi call info help' -- "${cur}"))
        ;;
    esac
}

_netsockctl_status() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_netsockctl_iface() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __netsockctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show|up|down|set|dhcp|default)
        # Offer subcommand argument completions
        "_netsockctl_iface_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show up down set dhcp default' -- "${cur}"))
        ;;
    esac
}

_netsockctl_iface_list() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_netsockctl_iface_show() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion iface show -- positional@0 "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_iface_up() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --wait-for)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--wait-for')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion iface up -- positional@0 "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_iface_down() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion iface down -- positional@0 "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_iface_set() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --address --netmask --gateway)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--address')
        return
        ;;
    '--netmask')
        return
        ;;
    '--gateway')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion iface set -- positional@0 "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_iface_dhcp() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion iface dhcp -- positional@0 "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_iface_default() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion iface default -- positional@0 "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_dns() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __netsockctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    resolve|servers|add|reset)
        # Offer subcommand argument completions
        "_netsockctl_dns_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'resolve servers add reset' -- "${cur}"))
        ;;
    esac
}

_netsockctl_dns_resolve() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl -4 -6 --all --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion dns resolve -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_dns_servers() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion dns servers -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_dns_add() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion dns add -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_dns_reset() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_netsockctl_sock() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __netsockctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list)
        # Offer subcommand argument completions
        "_netsockctl_sock_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list' -- "${cur}"))
        ;;
    esac
}

_netsockctl_sock_list() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --mine --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_netsockctl_monitor() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --since --count)
    __netsockctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--since')
        return
        ;;
    '--count')
        return
        ;;
    esac
}

_netsockctl_wait-online() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion wait-online -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_tcp() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __netsockctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    connect|listen)
        # Offer subcommand argument completions
        "_netsockctl_tcp_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'connect listen' -- "${cur}"))
        ;;
    esac
}

_netsockctl_tcp_connect() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --no-fd --tls --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface --ca --cert --key --servername)
    __netsockctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion tcp connect -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    '--ca')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--servername')
        return
        ;;
    esac
}

_netsockctl_tcp_listen() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --keep --no-fd --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --address --interface)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--address')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion tcp listen -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_udp() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __netsockctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    send|listen)
        # Offer subcommand argument completions
        "_netsockctl_udp_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'send listen' -- "${cur}"))
        ;;
    esac
}

_netsockctl_udp_send() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --no-fd --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --size --interface)
    __netsockctl_offer_flags_options 3

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--size')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion udp send -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_udp_listen() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --no-fd --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --address --interface --count --idle)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--address')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion udp listen -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    '--count')
        return
        ;;
    '--idle')
        return
        ;;
    esac
}

_netsockctl_ping() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout -c -i -W --size -I)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '-c')
        return
        ;;
    '-i')
        return
        ;;
    '-W')
        return
        ;;
    '--size')
        return
        ;;
    '-I')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion ping -- -I "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_cellular() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __netsockctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    info|at)
        # Offer subcommand argument completions
        "_netsockctl_cellular_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'info at' -- "${cur}"))
        ;;
    esac
}

_netsockctl_cellular_info() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion cellular info -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_cellular_at() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface --wait-ms)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion cellular at -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    '--wait-ms')
        return
        ;;
    esac
}

_netsockctl_wifi() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __netsockctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    scan|connect|disconnect|rssi)
        # Offer subcommand argument completions
        "_netsockctl_wifi_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'scan connect disconnect rssi' -- "${cur}"))
        ;;
    esac
}

_netsockctl_wifi_scan() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface --count)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion wifi scan -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    '--count')
        return
        ;;
    esac
}

_netsockctl_wifi_connect() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --pass-stdin --secret-stdin --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --security --channel --pass-file --secret-file --interface)
    __netsockctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--security')
        return
        ;;
    '--channel')
        return
        ;;
    '--pass-file'|'--secret-file')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion wifi connect -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_wifi_disconnect() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion wifi disconnect -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_wifi_rssi() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --interface)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--interface')
        __netsockctl_add_completions -W "$(__netsockctl_custom_complete ---completion wifi rssi -- --interface "${COMP_CWORD}" "$(__netsockctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_netsockctl_call() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --raw-string --secret-stdin --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout --params --secret --secret-file)
    __netsockctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    '--params')
        return
        ;;
    '--secret')
        return
        ;;
    '--secret-file')
        return
        ;;
    esac
}

_netsockctl_info() {
    repeating_flags=()
    non_repeating_flags=(--json --jsonl --version -h --help)
    repeating_options=()
    non_repeating_options=(-s --socket -g --get --timeout)
    __netsockctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-s'|'--socket')
        return
        ;;
    '-g'|'--get')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_netsockctl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __netsockctl_offer_flags_options -1
}

complete -o filenames -F _netsockctl netsockctl
