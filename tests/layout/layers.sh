# The layer rule (docs/conventions.md, "Layers"): every #include "..." in the
# C sources points down the stack, or to the one documented entry into the
# eval loop. Fails naming each include that breaks the rule.
#
#   runtime/core/     may include  core/
#   runtime/objects/  may include  core/ objects/        + interp/vm.h
#   runtime/modules/  may include  core/ objects/ modules/ + interp/vm.h
#   interp/           may include  anything
. tests/tools/testlib.sh

allowed() { # allowed LAYER INCLUDE -> 0 if LAYER's files may include INCLUDE
    case "$1:$2" in
        core:core/*) return 0 ;;
        objects:core/* | objects:objects/* | objects:interp/vm.h) return 0 ;;
        modules:core/* | modules:objects/* | modules:modules/* | modules:interp/vm.h) return 0 ;;
        interp:*) return 0 ;;
    esac
    return 1
}

bad=0
checked=0
for layer in core objects modules interp; do
    dir=runtime/$layer
    [ "$layer" = interp ] && dir=interp
    # one grep per layer ("FILE:INCLUDE" lines): a process per file is slow
    # on a loaded machine
    while IFS=: read -r f inc; do
        checked=$((checked + 1))
        # every include names its folder, so the layer can be read off it
        case "$inc" in
            core/* | objects/* | modules/* | interp/*) ;;
            *) echo "$f: #include \"$inc\" does not name its layer folder"; bad=1; continue ;;
        esac
        [ -e "runtime/$inc" ] || [ -e "$inc" ] || { echo "$f: #include \"$inc\": no such header"; bad=1; continue; }
        allowed "$layer" "$inc" || { echo "$f ($layer) may not include \"$inc\""; bad=1; }
    done < <(grep -H '^#include "' "$dir"/*.c "$dir"/*.h 2>/dev/null |
             sed 's/^\([^:]*\):#include "\([^"]*\)".*/\1:\2/')
done
[ "$checked" -gt 100 ] || fail "only $checked includes found: did the layout move?"
[ "$bad" = 0 ] || fail "the layer rule is broken (see above)"
