#!/bin/sh
# docker-compose.yml's temporal-setup (temporalio/admin-tools): waits until the cluster serves, registers the
# namespace Overture runs in and Overture's custom search attributes (workflows/kit/search-attributes.ts), then
# exits 0. Safe to re-run on a set-up stack: an existing namespace is kept, and only the search attributes it does not
# list yet are created (a retry after a refused `create` lists it again). Gives up (exit 1, keeping Overture's parts
# down) after about three minutes.
set -u

: "${TEMPORAL_ADDRESS:?the frontend, host:port}" "${TEMPORAL_NAMESPACE:?the namespace to register}"
RETENTION="${NAMESPACE_RETENTION:-72h}"
ATTEMPTS=90

retry() {
  what="$1"
  shift
  attempt=0
  while [ "$attempt" -lt "$ATTEMPTS" ]; do
    attempt=$((attempt + 1))
    if "$@"; then
      echo "$what: done"
      return 0
    fi
    echo "$what: not yet (attempt $attempt/$ATTEMPTS), retrying in 2s"
    sleep 2
  done
  echo "gave up: $what" >&2
  exit 1
}

cluster_serving() {
  temporal operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -q SERVING
}

namespace_registered() {
  temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 ||
    temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$RETENTION" --address "$TEMPORAL_ADDRESS"
}

# Name=Type of every custom search attribute (workflows/kit/search-attributes.ts SEARCH_ATTRIBUTE_DEFINITIONS).
ATTRIBUTES="OvertureProcess=Keyword OvertureStatus=Keyword OvertureStep=Keyword OvertureNeedsAttention=Bool OvertureWaitingSince=Datetime OvertureWaitingFor=Keyword"

# Creates each attribute the namespace lacks, one at a time: a stack set up by an older release gains the new ones.
attributes_registered() {
  list=$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" 2>/dev/null) || return 1
  for pair in $ATTRIBUTES; do
    name="${pair%%=*}"
    printf '%s\n' "$list" | grep -qw "$name" && continue
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" \
      --name "$name" --type "${pair#*=}" || return 1
  done
}

retry "cluster $TEMPORAL_ADDRESS serving" cluster_serving
retry "namespace $TEMPORAL_NAMESPACE" namespace_registered
retry "Overture search attributes on $TEMPORAL_NAMESPACE" attributes_registered
