#!/usr/bin/env bash
# Installs the project's own kubectl: Debian's kubectl 1.36.4+ds-1 (kustomize 5.8 built in), from
# Debian unstable (sid), unpacked under deploy/local/.state/tools/ (git-ignored). Prints the path of
# the binary on stdout; everything else goes to stderr.
#
# The machine's kubectl (and its apt sources, lists and packages) is left alone: sid is described in
# a private apt configuration under .state/tools/apt/, not in /etc/apt, so no other apt run ever
# sees sid and nothing is upgraded from it; the package is fetched with `apt-get download` (apt
# checks it against the signed sid index) and unpacked with `dpkg-deb -x`, not installed. It depends
# on libc6 (>= 2.34) only (Debian 12 has 2.36): checked below against what is installed. Needs no
# root. Idempotent: when the binary is there, a second run returns at once.
#   deploy/local/install-kubectl.sh            # -> .../deploy/local/.state/tools/bin/kubectl
#   "$(deploy/local/install-kubectl.sh)" kustomize deploy/k8s/overlays/dev
set -euo pipefail
source "$(dirname "$0")/env.sh"

KUBECTL_VERSION="${PEERING_KUBECTL_VERSION:-1.36.4+ds-1}"
KUBECTL_SUITE="${PEERING_KUBECTL_SUITE:-sid}"
TOOLS_DIR="$STATE_DIR/tools"
dest="$TOOLS_DIR/kubectl-$KUBECTL_VERSION"
link="$TOOLS_DIR/bin/kubectl"

target="../kubectl-$KUBECTL_VERSION/usr/bin/kubectl"       # relative: the checkout may move
if [ -x "$dest/usr/bin/kubectl" ] && [ "$(readlink "$link" 2>/dev/null)" = "$target" ]; then
  echo "$link"
  exit 0
fi

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "apt-get and dpkg-deb are needed (Debian)"

# Same mirror as the machine's own apt sources (as install.sh finds it).
mirror="$( (grep -rhE '^[[:space:]]*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true) \
          | grep -oE 'https?://[^ ]+' | grep -E '/debian/?$' | head -n1 || true)"
[ -n "$mirror" ] || mirror="http://deb.debian.org/debian"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || die "$keyring is missing (package debian-archive-keyring): cannot verify $KUBECTL_SUITE's index"

apt_dir="$TOOLS_DIR/apt"
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/download"
echo "deb [signed-by=$keyring] ${mirror%/} $KUBECTL_SUITE main" > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$apt_dir/sources.list.d"
          -o "APT::Sandbox::User=$(id -un)" -o "Debug::NoLocking=1" -qq)

log "fetching kubectl=$KUBECTL_VERSION from ${mirror%/} $KUBECTL_SUITE (private apt lists in $apt_dir)"
apt-get "${apt_opts[@]}" update >&2 || die "apt-get update of the private $KUBECTL_SUITE list failed"
rm -f "$apt_dir/download/"*.deb
(cd "$apt_dir/download" && apt-get "${apt_opts[@]}" download "kubectl=$KUBECTL_VERSION" >&2) \
  || die "kubectl=$KUBECTL_VERSION is not in $KUBECTL_SUITE any more: set PEERING_KUBECTL_VERSION to the version it has ($(apt-cache "${apt_opts[@]}" policy kubectl 2>/dev/null | grep -m1 Candidate || true))"
deb="$(ls "$apt_dir/download/"kubectl_*.deb)"
[ "$(dpkg-deb -f "$deb" Version)" = "$KUBECTL_VERSION" ] || die "$deb is not version $KUBECTL_VERSION"

# The package's run-time dependencies must be met by what this machine has installed.
IFS=',' read -ra deps <<< "$(dpkg-deb -f "$deb" Depends)"
for dep in "${deps[@]}"; do
  dep="${dep%%|*}"                                  # first alternative
  name="$(awk '{print $1}' <<< "$dep")"; name="${name%%:*}"
  have="$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)"
  [ -n "$have" ] || die "kubectl $KUBECTL_VERSION needs $dep, which is not installed"
  if [[ "$dep" =~ \(([<>=]+)[[:space:]]*([^\)]+)\) ]]; then
    op="${BASH_REMATCH[1]}"; want="${BASH_REMATCH[2]// /}"
    case "$op" in '>=') op=ge ;; '<=') op=le ;; '>>') op=gt ;; '<<') op=lt ;; '=') op=eq ;; esac
    dpkg --compare-versions "$have" "$op" "$want" || die "kubectl $KUBECTL_VERSION needs $dep; installed: $name $have"
  fi
done

rm -rf "$dest.tmp" && dpkg-deb -x "$deb" "$dest.tmp"
"$dest.tmp/usr/bin/kubectl" version --client >/dev/null || die "the unpacked kubectl does not run"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
mkdir -p "$TOOLS_DIR/bin" && ln -sfn "$target" "$link"
rm -rf "$deb" "$apt_dir/lists"                              # ~20 MB; fetched again only for a new version
log "kubectl installed: $("$link" version --client | tr '\n' ' ')"
echo "$link"
