#!/usr/bin/env bash
# Installs what the fleet test's local Slurm cluster needs (test/fleet/fleet-slurm.test.ts):
# Debian's slurm-wlm (slurmctld, slurmd and the client commands) and munge. Root and apt-get;
# idempotent: when every program is already there it returns at once, without touching apt.
# After it, run the tests with HIVECHECK_REQUIRE_SLURM=1 so that a cluster that cannot start
# fails the test instead of skipping it.
set -euo pipefail
programs=(slurmctld slurmd srun squeue scancel scontrol sinfo munged mungekey)
missing=()
for program in "${programs[@]}"; do
  command -v "$program" >/dev/null 2>&1 || [ -x "/usr/sbin/$program" ] || missing+=("$program")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "slurm-wlm and munge: already installed ($(slurmd -V 2>/dev/null || echo slurmd))"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-slurm: ${missing[*]} missing, and this is not root with apt-get: install slurm-wlm and munge by hand" >&2
  exit 3
fi
echo "install-slurm: installing slurm-wlm munge (missing: ${missing[*]})"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
slurmd -V
