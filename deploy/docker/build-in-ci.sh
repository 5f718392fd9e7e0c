#!/usr/bin/env bash
# Builds the service images' contents without a container engine.
#
# The Dockerfiles' build stage runs exactly these steps, so a CI machine (or
# a developer's Debian 12) can prove the image build works, and see what
# goes into each image, without docker:
#
#   deploy/docker/build-in-ci.sh                 # all steps, both services
#   deploy/docker/build-in-ci.sh all query-service
#   deploy/docker/build-in-ci.sh setup           # scripts/setup.sh (+ iso-codes)
#   deploy/docker/build-in-ci.sh build  SERVICE...   # cmake, only the image's targets
#   deploy/docker/build-in-ci.sh stage  SERVICE...   # lay out the image's files
#   deploy/docker/build-in-ci.sh verify SERVICE...   # runtime libraries all covered?
#
# SERVICE is ingest-service or query-service (whose image also carries
# relctl). Environment: BUILD_DIR (default build, relative to the repository
# root), JOBS (default: nproc). `stage` writes BUILD_DIR/image-rootfs/SERVICE/,
# the tree the Dockerfile copies over debian:12-slim.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT
readonly RUNTIME_PACKAGES="${RUNTIME_PACKAGES:-${REPO_ROOT}/deploy/docker/runtime-packages.txt}"
BUILD_DIR="${BUILD_DIR:-build}"
case "${BUILD_DIR}" in
  /*) ;;
  *) BUILD_DIR="${REPO_ROOT}/${BUILD_DIR}" ;;
esac
readonly BUILD_DIR
readonly JOBS="${JOBS:-$(nproc)}"
# Where the images keep the data/ directory (passed as --resources_dir).
readonly IMAGE_DATA_DIR=/usr/share/relations-monitor/data
readonly ISO_CODES_JSON=/usr/share/iso-codes/json

log() { printf 'build-in-ci: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# The CMake targets each image needs.
targets_of() {
  case "$1" in
    ingest-service) echo ingest-service feed-follower ;;
    query-service) echo query-service relctl ;;
    *) die "unknown service '$1' (ingest-service or query-service)" ;;
  esac
}

step_setup() {
  local setup="${REPO_ROOT}/scripts/setup.sh"
  [[ -f "${setup}" ]] || die "${setup} is missing (the project's install step)"
  log "running scripts/setup.sh"
  bash "${setup}"
  # The images copy the ISO 3166 JSON out of the build stage.
  if [[ ! -f "${ISO_CODES_JSON}/iso_3166-1.json" ]]; then
    log "installing iso-codes"
    as_root apt-get install -y --no-install-recommends iso-codes ||
      { as_root apt-get update && as_root apt-get install -y --no-install-recommends iso-codes; }
  fi
}

step_build() {
  local targets=()
  local s
  for s in "$@"; do
    read -r -a t <<<"$(targets_of "${s}")"
    targets+=("${t[@]}")
  done
  log "configuring ${BUILD_DIR} (Release)"
  cmake -S "${REPO_ROOT}" -B "${BUILD_DIR}" -DCMAKE_BUILD_TYPE=Release
  log "building ${targets[*]} with ${JOBS} jobs"
  cmake --build "${BUILD_DIR}" -j"${JOBS}" --target "${targets[@]}"
}

step_stage() {
  local s rootfs bin
  for s in "$@"; do
    rootfs="${BUILD_DIR}/image-rootfs/${s}"
    log "staging ${rootfs}"
    rm -rf "${rootfs}"
    install -d -m 0755 "${rootfs}/usr/local/bin" "${rootfs}${IMAGE_DATA_DIR}" \
      "${rootfs}${ISO_CODES_JSON}"
    for bin in $(targets_of "${s}"); do
      [[ -x "${BUILD_DIR}/bin/${bin}" ]] || die "${BUILD_DIR}/bin/${bin} was not built"
      install -m 0755 "${BUILD_DIR}/bin/${bin}" "${rootfs}/usr/local/bin/${bin}"
      strip --strip-unneeded "${rootfs}/usr/local/bin/${bin}"
    done
    cp -R "${REPO_ROOT}/data/." "${rootfs}${IMAGE_DATA_DIR}/"
    cp "${ISO_CODES_JSON}"/*.json "${rootfs}${ISO_CODES_JSON}/"
    chmod -R go-w,a+rX "${rootfs}"
  done
}

# Packages named in runtime-packages.txt plus everything they depend on.
runtime_closure() {
  local wanted
  wanted="$(sed -e 's/#.*//' "${RUNTIME_PACKAGES}" | xargs)"
  [[ -n "${wanted}" ]] || die "${RUNTIME_PACKAGES} names no package"
  # shellcheck disable=SC2086  # one word per package
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances ${wanted} |
    sed -n -e 's/^\([a-z0-9][^ <>:]*\)$/\1/p' -e 's/^ *\(Pre\)\{0,1\}Depends: \([^<>: ]*\).*/\2/p' |
    sort -u
}

step_verify() {
  local closure s bin lib pkg missing=0
  closure="$(runtime_closure)"
  for s in "$@"; do
    for bin in $(targets_of "${s}"); do
      local path="${BUILD_DIR}/image-rootfs/${s}/usr/local/bin/${bin}" uncovered=0
      [[ -x "${path}" ]] || die "${path} is not staged (run: $0 stage ${s})"
      if ldd "${path}" | grep -q 'not found'; then
        ldd "${path}" | grep 'not found' >&2
        die "${bin}: shared libraries not found on this machine"
      fi
      while read -r lib; do
        pkg="$(dpkg -S "$(readlink -f "${lib}")" 2>/dev/null | head -n1 | cut -d: -f1)" ||
          true
        if [[ -z "${pkg}" ]]; then
          pkg="$(dpkg -S "${lib}" 2>/dev/null | head -n1 | cut -d: -f1)" || true
        fi
        if [[ -z "${pkg}" ]]; then
          log "${bin}: ${lib} belongs to no Debian package"
          uncovered=1
        elif ! grep -qx "${pkg}" <<<"${closure}"; then
          log "${bin}: needs ${lib} from package ${pkg}, not in runtime-packages.txt"
          uncovered=1
        fi
      done < <(ldd "${path}" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
      if [[ "${uncovered}" -eq 0 ]]; then
        log "${bin}: every shared library comes from runtime-packages.txt"
      else
        missing=1
      fi
    done
  done
  [[ "${missing}" -eq 0 ]] || die "add the packages above to ${RUNTIME_PACKAGES}"
}

main() {
  local step="${1:-all}"
  [[ $# -gt 0 ]] && shift
  local services=("$@")
  [[ ${#services[@]} -gt 0 ]] || services=(ingest-service query-service)
  case "${step}" in
    setup) step_setup ;;
    build) step_build "${services[@]}" ;;
    stage) step_stage "${services[@]}" ;;
    verify) step_verify "${services[@]}" ;;
    all)
      step_setup
      step_build "${services[@]}"
      step_stage "${services[@]}"
      step_verify "${services[@]}"
      ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" ;;
    *) die "unknown step '${step}' (setup, build, stage, verify, all)" ;;
  esac
}

main "$@"
