#!/usr/bin/env bash
# Checks everything under deploy/ without a cluster or a container engine:
#   - yamllint on every YAML source (deploy/.yamllint);
#   - `kubectl kustomize` renders base, base + each component, base + all
#     components, and every overlay;
#   - each rendering validates against the Kubernetes schemas (npm
#     kubernetes-models) and the project's policy (deploy/validate/validate.mjs);
#   - the Dockerfiles pass a hadolint-like review (same script);
#   - the shell scripts pass `bash -n` and, when installed, shellcheck;
#   - the Dockerfile-specific ignore files equal dockerignore.txt;
#   - when apt knows packages: every name in runtime-packages.txt exists;
#   - when the service binaries are built (RELMON_BUILD_DIR, default build/):
#     their shared libraries all come from runtime-packages.txt.
# Needs: bash, kubectl (with kustomize), node >= 18 + npm, yamllint (installed
# with apt-get here when missing). Prints one line per check and finally
# "N passed, M failed"; exits 1 when anything failed.
set -uo pipefail

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${DEPLOY_DIR}/.." && pwd)"
readonly DEPLOY_DIR REPO_ROOT
WORK="$(mktemp -d)"
readonly WORK
trap 'rm -rf "${WORK}"' EXIT

passed=0
failed=0

pass() {
  passed=$((passed + 1))
  echo "ok - $*"
}
fail() {
  failed=$((failed + 1))
  echo "not ok - $*"
}
# Runs a command as one check; its output is shown only when it fails.
run_check() {
  local label="$1"
  shift
  local out
  if out="$("$@" 2>&1)"; then
    pass "${label}"
  else
    fail "${label}"
    printf '%s\n' "${out}" | sed 's/^/    /' | tail -n 40
  fi
}
# Adds the counts of a validate.mjs run (its last line: RESULT passed=N failed=M).
run_validator() {
  local out result
  out="$(cd "${DEPLOY_DIR}/validate" && node validate.mjs "$@" 2>&1)"
  printf '%s\n' "${out}" | grep -v '^RESULT '
  result="$(printf '%s\n' "${out}" | grep '^RESULT ' | tail -n 1)"
  if [[ "${result}" =~ passed=([0-9]+)\ failed=([0-9]+) ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    fail "validate.mjs $1 ran to the end"
  fi
}

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

# --- tools ------------------------------------------------------------------
# Debian has no kubectl package: on a machine without it nothing here can
# render, so the whole check is skipped (exit 77, ctest's skip code).
if ! command -v kubectl >/dev/null; then
  echo "SKIP: kubectl not installed (Debian does not package it); manifests not checked"
  exit 77
fi
for tool in kubectl node npm; do
  if command -v "${tool}" >/dev/null; then pass "${tool} is installed"; else fail "${tool} is installed"; fi
done
if ! command -v yamllint >/dev/null; then
  echo "# yamllint missing: installing the Debian package"
  as_root apt-get install -y --no-install-recommends yamllint >/dev/null 2>&1 ||
    { as_root apt-get update >/dev/null 2>&1 &&
      as_root apt-get install -y --no-install-recommends yamllint >/dev/null 2>&1; }
fi
if command -v yamllint >/dev/null; then pass "yamllint is installed"; else fail "yamllint is installed"; fi

run_check "npm ci installs deploy/validate's locked dependencies" \
  bash -c "cd '${DEPLOY_DIR}/validate' && npm ci --no-audit --no-fund --loglevel=error"

# --- YAML sources -----------------------------------------------------------
while IFS= read -r file; do
  run_check "yamllint ${file#"${DEPLOY_DIR}"/}" yamllint -s -c "${DEPLOY_DIR}/.yamllint" "${file}"
done < <(find "${DEPLOY_DIR}/k8s" "${DEPLOY_DIR}/.yamllint" -type f \( -name '*.yaml' -o -name '*.yml' -o -name .yamllint \) | sort)

# --- renderings ---------------------------------------------------------------
# render NAME PROFILE [--network-policies] KUSTOMIZATION_DIR
render() {
  local name="$1" profile="$2"
  shift 2
  local np=()
  if [[ "$1" == --network-policies ]]; then
    np=(--network-policies)
    shift
  fi
  local dir="$1" out="${WORK}/${name//\//_}.yaml"
  if kubectl kustomize "${dir}" >"${out}" 2>"${out}.err"; then
    pass "kubectl kustomize renders ${name}"
    run_validator manifests --name "${name}" --profile "${profile}" "${np[@]}" "${out}"
  else
    fail "kubectl kustomize renders ${name}"
    sed 's/^/    /' "${out}.err"
  fi
}

# A throw-away kustomization: base plus the given components (kustomize
# takes relative paths only).
with_components() {
  local dir="${WORK}/kustomize-$1"
  shift
  mkdir -p "${dir}"
  local rel
  rel="$(realpath --relative-to="${dir}" "${DEPLOY_DIR}/k8s")"
  {
    echo "apiVersion: kustomize.config.k8s.io/v1beta1"
    echo "kind: Kustomization"
    echo "resources:"
    echo "  - ${rel}/base"
    echo "components:"
    local c
    for c in "$@"; do echo "  - ${rel}/components/${c}"; done
  } >"${dir}/kustomization.yaml"
  echo "${dir}"
}

render base base "${DEPLOY_DIR}/k8s/base"
components=()
for c in "${DEPLOY_DIR}"/k8s/components/*/; do
  c="$(basename "${c}")"
  components+=("${c}")
  flags=()
  [[ "${c}" == network-policies ]] && flags=(--network-policies)
  render "base+${c}" base "${flags[@]}" "$(with_components "${c}" "${c}")"
done
render "base+all-components" base --network-policies \
  "$(with_components all "${components[@]}")"
for o in "${DEPLOY_DIR}"/k8s/overlays/*/; do
  o="$(basename "${o}")"
  render "overlays/${o}" "${o}" "${DEPLOY_DIR}/k8s/overlays/${o}"
done

# --- images -----------------------------------------------------------------
run_validator dockerfile "${DEPLOY_DIR}"/docker/*.Dockerfile

for f in "${DEPLOY_DIR}"/docker/*.Dockerfile; do
  run_check "$(basename "${f}").dockerignore equals dockerignore.txt" \
    cmp "${DEPLOY_DIR}/docker/dockerignore.txt" "${f}.dockerignore"
done

for script in "${DEPLOY_DIR}/check.sh" "${DEPLOY_DIR}/docker/build-in-ci.sh"; do
  run_check "bash -n ${script#"${DEPLOY_DIR}"/}" bash -n "${script}"
  if command -v shellcheck >/dev/null; then
    run_check "shellcheck ${script#"${DEPLOY_DIR}"/}" shellcheck "${script}"
  fi
done

packages="$(sed -e 's/#.*//' "${DEPLOY_DIR}/docker/runtime-packages.txt" | xargs)"
# (Matched on captured output: `| grep -q` would end apt-cache by SIGPIPE,
# which pipefail reports as a failure.)
has_candidate() { [[ "$(apt-cache policy "$1" 2>/dev/null)" == *"Candidate: "[0-9]* ]]; }
if has_candidate libc6; then
  for p in ${packages}; do
    run_check "runtime package ${p} exists in Debian" has_candidate "${p}"
  done
else
  echo "# apt has no package lists (run apt-get update): package names not checked"
fi

build_dir="${RELMON_BUILD_DIR:-${REPO_ROOT}/build}"
if [[ -x "${build_dir}/bin/ingest-service" && -x "${build_dir}/bin/query-service" &&
  -x "${build_dir}/bin/relctl" ]]; then
  mkdir -p "${WORK}/image-build"
  ln -s "${build_dir}/bin" "${WORK}/image-build/bin"
  run_check "images' files stage from ${build_dir}/bin" \
    env BUILD_DIR="${WORK}/image-build" "${DEPLOY_DIR}/docker/build-in-ci.sh" stage
  run_check "runtime-packages.txt covers every shared library of the built services" \
    env BUILD_DIR="${WORK}/image-build" "${DEPLOY_DIR}/docker/build-in-ci.sh" verify
else
  echo "# ${build_dir}/bin has no built services: runtime libraries not verified"
fi

echo "${passed} passed, ${failed} failed"
[[ "${failed}" -eq 0 ]]
