#!/bin/sh
# The sick-server policy's actuator: drains a backend of the SIP edge through its HTTP API, or puts
# it back. Usage: edge-drain.sh deploy|revoke HOST:PORT. The API's address and token file come from
# D2R2_EDGE_API (default http://127.0.0.1:8060) and D2R2_EDGE_TOKEN (default edge-api.token), or
# from the action's params api and token (D2R2_PARAM_API, D2R2_PARAM_TOKEN). A revoke of a backend
# the edge no longer has (the scaler replaced it) does nothing: adding it back would revive a
# stopped server.
set -eu
api="${D2R2_PARAM_API:-${D2R2_EDGE_API:-http://127.0.0.1:8060}}"
token="$(head -n 1 "${D2R2_PARAM_TOKEN:-${D2R2_EDGE_TOKEN:-edge-api.token}}")"
auth="Authorization: Bearer $token"
case "$1" in
  deploy) curl -fsS -m 5 -X POST -H "$auth" "$api/backends/$2/drain" ;;
  revoke) status="$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -X DELETE -H "$auth" "$api/backends/$2")"
          case "$status" in
            204) ;;
            404) echo "edge-drain: $2 is no longer a backend of the edge; not added back" >&2; exit 0 ;;
            *) echo "edge-drain: DELETE /backends/$2 answered $status" >&2; exit 1 ;;
          esac
          curl -fsS -m 5 -X POST -H "$auth" -H "Content-Type: application/json" -d "{\"address\":\"$2\"}" "$api/backends" ;;
  *) echo "usage: $0 deploy|revoke HOST:PORT" >&2; exit 2 ;;
esac
