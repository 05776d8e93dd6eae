# shellcheck shell=bash
# wine_start BUILD EXE: one persistent wine server for a run of Windows programs under wine64.
# Sets `wine` (the wine64 binary) and `server` (its wineserver), exports WINEDEBUG and
# WINEPREFIX (BUILD/wineprefix), starts the server with -p (it stays up: else every call that
# finds none waits ~2 s for a new one, and two calls that start at once race to start it and to
# create the prefix, one of them dying with "wine client error: recvmsg: Connection reset by
# peer", seen in CI) and makes a first call of EXE with no arguments. That call creates the
# prefix and starts wine's background services, which inherit its outputs and live as long as
# the server: they get /dev/null here, not the pipe of a later $(...) that would wait for them.
# The caller stops the server (`"$server" -k`, e.g. in its EXIT trap). Returns 1, with a
# message naming the Debian package, when there is no wine64.
wine_start() {
    wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
    if [ ! -x "$wine" ]; then
        echo "$(basename "$0"): no wine64 (Debian package wine64)" >&2
        return 1
    fi
    server=$(dirname "$(readlink -f "$wine")")/wineserver
    command -v "$server" >/dev/null 2>&1 || server=wineserver
    export WINEDEBUG=-all WINEPREFIX="$1/wineprefix"
    mkdir -p "$WINEPREFIX" # the server needs the folder; the first call fills it
    "$server" -p
    "$wine" "$2" >/dev/null 2>&1 </dev/null || true
}
