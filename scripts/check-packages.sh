#!/usr/bin/env bash
# check-packages.sh - proves the NuGet packages install and work outside the repository.
#
#   scripts/check-packages.sh
#
# 1. Packs EventKit, EventKit.EntityFramework, EventKit.Testing and EventKit.Dashboard (Release) into a temp folder.
# 2. Checks each package: README, MIT license expression, repository URL, XML docs, and a .snupkg with the PDB.
# 3. Copies samples/PackageConsumer to a temp folder (outside the repository, so none of its build settings
#    apply) with a nuget.config that adds the temp package folder to the usual sources, then restores, builds
#    and runs it: it publishes and handles an event through the packages, serves the dashboard (a page and its
#    embedded stylesheet) on a loopback port, and exits 0.
# 4. Checks that the packages the consumer restored are byte for byte the ones just packed.
#
# The last line is "check-packages: PASS" (exit 0) or "check-packages: FAIL: <reason>" (exit 1).
#
# Isolation:
# - Builds go to a temp --artifacts-path: the repository's bin/ and obj/ are not touched, so this can run while
#   `dotnet test` builds the same projects (tests/EventKit.Packaging.Tests runs it that way).
# - The consumer restores into its own NUGET_PACKAGES folder, artifacts/package-check/nuget-packages. Every
#   eventkit* package is deleted from it first, so a stale EventKit 0.1.0 in a cache cannot stand in for the new
#   one; the other packages (EF Core, Microsoft.Extensions.*) stay there between runs to save the downloads.
#
# Environment: CHECK_PACKAGES_KEEP=1 keeps the temp folder and prints its path.

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_UI_LANGUAGE=en-US
export MSBUILDTERMINALLOGGER=off
# This script may run inside `dotnet test` of the solution: a nested build must not share the outer build's
# MSBuild worker nodes or compiler server (seen: "MSB4166 Child node exited prematurely" under CI).
export MSBUILDDISABLENODEREUSE=1
export DOTNET_CLI_USE_MSBUILD_SERVER=0
export UseSharedCompilation=false

PACKAGES=(EventKit EventKit.EntityFramework EventKit.Testing EventKit.Dashboard)
VERSION=0.1.0

log() { echo "check-packages: $*"; }

fail() {
  log "FAIL: $*"
  exit 1
}

seconds_since() { echo $(( $(date +%s) - $1 )); }

# Lower-case hex SHA-512 of file $1.
sha512_hex() { sha512sum "$1" | cut -d' ' -f1; }

# NuGet records each installed package's SHA-512 as base64 in <id>.<version>.nupkg.sha512; as hex:
sha512_file_hex() { base64 -d "$1" | od -An -v -tx1 | tr -d ' \n'; }

check_package() {
  local id=$1 dir=$2 nupkg="$2/$1.$VERSION.nupkg" snupkg="$2/$1.$VERSION.snupkg" listing nuspec
  [[ -f $nupkg ]] || { log "missing $nupkg"; return 1; }
  [[ -f $snupkg ]] || { log "missing $snupkg"; return 1; }
  listing=$(unzip -Z1 "$nupkg") || { log "cannot read $nupkg"; return 1; }
  nuspec=$(unzip -p "$nupkg" "$id.nuspec") || { log "no $id.nuspec in $nupkg"; return 1; }

  local problems=()
  grep -qx "README.md" <<<"$listing" || problems+=("no README.md")
  grep -qx "lib/net10.0/$id.dll" <<<"$listing" || problems+=("no lib/net10.0/$id.dll")
  grep -qx "lib/net10.0/$id.xml" <<<"$listing" || problems+=("no XML docs (lib/net10.0/$id.xml)")
  unzip -Z1 "$snupkg" | grep -qx "lib/net10.0/$id.pdb" || problems+=("no lib/net10.0/$id.pdb in the .snupkg")
  grep -q "<id>$id</id>" <<<"$nuspec" || problems+=("nuspec id is not $id")
  grep -q "<version>$VERSION</version>" <<<"$nuspec" || problems+=("nuspec version is not $VERSION")
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || problems+=("no MIT license expression")
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || problems+=("README.md not declared as the package readme")
  grep -q '<repository type="git" url="https://' <<<"$nuspec" || problems+=("no repository URL")
  grep -q '<description>.' <<<"$nuspec" || problems+=("no description")
  grep -q '<tags>.' <<<"$nuspec" || problems+=("no tags")

  if (( ${#problems[@]} > 0 )); then
    log "$id: $(printf '%s; ' "${problems[@]}")"
    return 1
  fi
  log "$id $VERSION: README, MIT license, repository, XML docs, symbols: ok"
}

main() {
  local repo
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 1
  command -v unzip >/dev/null || fail "unzip is needed (apt-get install unzip)"

  local tmp
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/eventkit-check-packages.XXXXXX") || fail "cannot create a temp folder"
  if [[ ${CHECK_PACKAGES_KEEP:-} == 1 ]]; then
    log "keeping $tmp"
  else
    trap 'rm -rf "$tmp"' EXIT
  fi

  local started=$(date +%s) step

  # 1. Pack the four projects with one build (a solution filter of EventKit.sln).
  step=$(date +%s)
  cat >"$tmp/packages.slnf" <<EOF
{
  "solution": {
    "path": "$repo/EventKit.sln",
    "projects": [
      "src\\\\EventKit\\\\EventKit.csproj",
      "src\\\\EventKit.EntityFramework\\\\EventKit.EntityFramework.csproj",
      "src\\\\EventKit.Testing\\\\EventKit.Testing.csproj",
      "src\\\\EventKit.Dashboard\\\\EventKit.Dashboard.csproj"
    ]
  }
}
EOF
  log "packing into $tmp/packages ..."
  if ! dotnet pack "$tmp/packages.slnf" -c Release -o "$tmp/packages" --artifacts-path "$tmp/build" -m:1 -nodeReuse:false >"$tmp/pack.log" 2>&1; then
    tail -n 30 "$tmp/pack.log"
    fail "dotnet pack failed (log above)"
  fi
  log "packed in $(seconds_since "$step") s: $(cd "$tmp/packages" && echo *)"

  # 2. What is inside.
  local id bad=0
  for id in "${PACKAGES[@]}"; do
    check_package "$id" "$tmp/packages" || bad=1
  done
  (( bad == 0 )) || fail "package contents (see above)"

  # 3. The consumer, outside the repository.
  step=$(date +%s)
  local consumer="$tmp/consumer"
  mkdir -p "$consumer"
  cp "$repo/samples/PackageConsumer/PackageConsumer.csproj" "$repo/samples/PackageConsumer/Program.cs" "$consumer/" \
    || fail "cannot copy samples/PackageConsumer"
  # No <clear/>: the usual sources of the user's configuration stay, for EventKit's dependencies.
  cat >"$consumer/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="eventkit-under-test" value="$tmp/packages" />
  </packageSources>
</configuration>
EOF
  local cache="$repo/artifacts/package-check/nuget-packages"
  mkdir -p "$cache"
  rm -rf "$cache"/eventkit*
  export NUGET_PACKAGES="$cache"

  log "restoring, building and running the consumer (NUGET_PACKAGES=$cache) ..."
  if ! dotnet build "$consumer/PackageConsumer.csproj" -c Release -m:1 -nodeReuse:false >"$tmp/consumer-build.log" 2>&1; then
    tail -n 30 "$tmp/consumer-build.log"
    fail "the consumer did not restore or build against the packages (log above)"
  fi
  local output rc
  output=$(dotnet "$consumer/bin/Release/net10.0/PackageConsumer.dll" 2>&1)
  rc=$?
  echo "$output" | sed 's/^/    /'
  (( rc == 0 )) || fail "the consumer exited with $rc"
  grep -q "^PackageConsumer: OK$" <<<"$output" || fail "the consumer did not print 'PackageConsumer: OK'"
  log "consumer ran in $(seconds_since "$step") s"

  # 4. The consumer got exactly these packages.
  local lower recorded
  for id in "${PACKAGES[@]}"; do
    lower=${id,,}
    recorded="$cache/$lower/$VERSION/$lower.$VERSION.nupkg.sha512"
    [[ -f $recorded ]] || fail "$id $VERSION was not restored into $cache"
    local restored packed
    restored=$(sha512_file_hex "$recorded")
    packed=$(sha512_hex "$tmp/packages/$id.$VERSION.nupkg")
    [[ -n $restored && $restored == "$packed" ]] || fail "the restored $id $VERSION is not the package just packed"
  done
  log "restored packages match the ones packed"

  log "total $(seconds_since "$started") s"
  log "PASS"
}

main "$@"
