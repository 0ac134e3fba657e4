#!/usr/bin/env bash
# The CUDA engine's device checks, in two halves:
#
#   tools/gpu-check.sh prepare      on the CPU machine (real Caffe, Maven, ../shared): builds, makes the real-Caffe
#                                   reference blobs of the seven SENets at batch 32 (seeded random weights, seeded
#                                   normal input; only small blobs: the SE excitations spread over the net and the
#                                   last three blobs), packs .device/ (../shared/device/prepare.sh) and copies the
#                                   references to .device/refs/. Minutes; done once, kept (rm -rf .device/refs to redo).
#   tools/gpu-check.sh device       on the GPU machine, through the device tool:
#                                     run(command="bash tools/gpu-check.sh device", carry=[".device"], timeout_s=600)
#                                   rebuilds the weights and the input from their seeds without Caffe (checked against
#                                   real Caffe's manifest and the input's CRC-32), then, through the project's CLI:
#                                   verify --device cuda --top1 for the seven SENets in fp32, tf32 and fp16 (1e-4, 5e-3,
#                                   2e-2 relative L-infinity; same top-1 for all 32 inputs), verify of the testdata nets
#                                   (every layer type), bench of SE-ResNet-50 (batch 256 fp32/tf32/fp16, batch 1 with
#                                   CUDA graphs fp16/fp32) and SENet-154 (batch 64 tf32/fp16), a per-step profile, and
#                                   prints a short table last. Logs and JSON go to $OUT (the tool brings them back).
#
# Each check has its own time limit and the whole run stops starting new checks after GPU_CHECK_BUDGET seconds
# (default 500), so that the command ends inside the tool's 600 s limit with a table of what ran.
# GPU_CHECK_ONLY=REGEX runs only the checks whose names match (for a short second run), e.g. 'SENet-154|bench'.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
CLI_JAR=senet4j-cli/target/senet4j.jar

MODELS=(SE-ResNet-50 SE-ResNet-101 SE-ResNet-152 SE-ResNeXt-50 SE-ResNeXt-101 SE-BN-Inception SENet-154)
WEIGHT_SEED=1
INPUT_SEED=5
BATCH=32
REFS=.device/refs
# nets whose batch-32 Caffe run is split in two halves (memory of the CPU machine)
SPLIT_MODELS="${GPU_CHECK_SPLIT_MODELS:-SENet-154}"

prepare() {
    set -e
    local shared="${SENET4J_SHARED:-$root/../shared}"
    [[ -d "$shared/senet-models" ]] || { echo "gpu-check: $shared/senet-models not found" >&2; exit 2; }
    if [[ ! -f $CLI_JAR || -n "$(find proto pom.xml senet4j-*/pom.xml senet4j-*/src -newer $CLI_JAR -print -quit)" ]]; then
        mvn -q -B -DskipTests package
    fi
    local work="${GPU_CHECK_WORK:-$root/target/gpu-check-work}"
    mkdir -p "$work" "$REFS"
    for m in "${MODELS[@]}"; do
        local dst="$REFS/$m"
        if [[ -f "$dst/done" ]]; then
            echo "gpu-check: $dst exists"
            continue
        fi
        local proto="$shared/senet-models/$m.prototxt"
        mkdir -p .device/refs-protos
        cp "$proto" .device/refs-protos/
        ./senet4j inspect "$proto" --json --input-shape "data=$BATCH,3,224,224" > "$work/$m.inspect.json"
        local blobs
        blobs="$(python3 - "$work/$m.inspect.json" <<'PY'
import json, math, sys
layers = json.load(open(sys.argv[1]))["layers"]
shape = {}
order = []
for l in layers:
    for t, s in zip(l["tops"], l["outputShapes"]):
        if t in order:
            order.remove(t)
        order.append(t)
        shape[t] = s
small = [b for b in order if len(shape[b]) == 2 or (len(shape[b]) == 4 and shape[b][2] * shape[b][3] == 1)]
tail = small[-3:]
rest = small[:-3]
size = lambda b: 4 * math.prod(shape[b])
budget = 1_500_000
step = max(1, math.ceil(sum(size(b) for b in rest) / budget))
picked = rest[step - 1::step]
print(",".join(picked + tail))
PY
)"
        echo "gpu-check: $m: real Caffe at batch $BATCH, blobs $blobs"
        rm -rf "$work/$m"
        if [[ " ${SPLIT_MODELS} " == *" $m "* ]]; then
            # Caffe keeps every blob: at batch 32 this net needs more memory than the CPU machine has, so the
            # batch-32 input is run as two halves and the blobs are joined (Caffe computes each image on its own)
            local cp="$CLI_JAR:senet4j-cli/target/lib/*"
            local oracle=(java -XX:+UseSerialGC -cp "$cp" org.senet4j.verify.caffe.CaffeOracleMain)
            mkdir -p "$work/$m"
            GLOG_minloglevel=2 "${oracle[@]}" write-weights --prototxt "$proto" --out "$work/$m/model.caffemodel" \
                --seed "$WEIGHT_SEED" --manifest "$work/$m/model.manifest.tsv"
            java -cp "$cp" org.senet4j.verify.caffe.SeededWeightsMain --prototxt "$proto" --seed "$WEIGHT_SEED" \
                --input-out "$work/$m/input_data.npy" --batch "$BATCH" --input-dist normal --input-seed "$INPUT_SEED"
            python3 -c "
import numpy as np, sys
x = np.load(sys.argv[1]); h = x.shape[0] // 2
np.save(sys.argv[2], x[:h]); np.save(sys.argv[3], x[h:])" "$work/$m/input_data.npy" "$work/$m/in0.npy" \
                "$work/$m/in1.npy"
            for k in 0 1; do
                OPENBLAS_NUM_THREADS="$(nproc)" OMP_NUM_THREADS="$(nproc)" GLOG_minloglevel=2 "${oracle[@]}" forward \
                    --prototxt "$proto" --weights "$work/$m/model.caffemodel" --input "data=$work/$m/in$k.npy" \
                    --out "$work/$m/half$k" --blobs "$blobs"
            done
            python3 - "$work/$m" <<'PY'
import numpy as np, os, sys
w = sys.argv[1]
os.makedirs(os.path.join(w, "blobs"), exist_ok=True)
lines = [l.rstrip("\n").split("\t") for l in open(os.path.join(w, "half0", "blobs.tsv")) if not l.startswith("#")]
out = ["#blob\tfile\tshape"]
for name, f, shape in lines:
    a = np.concatenate([np.load(os.path.join(w, "half0", f)), np.load(os.path.join(w, "half1", f))])
    np.save(os.path.join(w, "blobs", f), a.astype("<f4"))
    out.append("%s\t%s\t%s" % (name, f, ",".join(str(d) for d in a.shape)))
open(os.path.join(w, "blobs", "blobs.tsv"), "w").write("\n".join(out) + "\n")
PY
            printf 'prototxt=%s\nweights=random\nseed=%s\nbatch=%s\ninput_dist=normal\ninput_seed=%s\nnote=two halves\n' \
                "$proto" "$WEIGHT_SEED" "$BATCH" "$INPUT_SEED" > "$work/$m/reference.properties"
        else
            tools/caffe-reference --prototxt "$proto" --out "$work/$m" --seed "$WEIGHT_SEED" --batch "$BATCH" \
                --input-dist normal --input-seed "$INPUT_SEED" --blobs "$blobs" --threads "$(nproc)"
        fi
        rm -rf "$dst"
        mkdir -p "$dst"
        cp -r "$work/$m/blobs" "$dst/blobs"
        cp "$work/$m/model.manifest.tsv" "$work/$m/reference.properties" "$dst/"
        printf '#input\tfile\tshape\ndata\t../input_b%s_s%s.npy\t%s,3,224,224\n' "$BATCH" "$INPUT_SEED" "$BATCH" \
            > "$dst/inputs.tsv"
        python3 - "$work/$m/input_data.npy" > "$dst/input.crc32" <<'PY'
import sys, zlib
raw = open(sys.argv[1], "rb").read()
hl = int.from_bytes(raw[8:10], "little") if raw[6] == 1 else int.from_bytes(raw[8:12], "little")
start = (10 if raw[6] == 1 else 12) + hl
print(zlib.crc32(raw[start:]) & 0xffffffff)
PY
        rm -rf "$work/$m/model.caffemodel" "$work/$m/input_data.npy" "$work/$m"/in?.npy "$work/$m"/half?
        touch "$dst/done"
    done
    for m in "${MODELS[@]}"; do
        mkdir -p .device/refs-protos
        cp "$shared/senet-models/$m.prototxt" .device/refs-protos/
    done
    if [[ "$(cat "$REFS"/*/input.crc32 | sort -u | wc -l)" != 1 ]]; then
        echo "gpu-check: the seven inputs differ (expected one seeded input for all)" >&2
        exit 1
    fi
    rm -f "$REFS"/input_*.npy   # rebuilt on the GPU machine from its seed (left here by a local dry run)
    pack
    du -sh .device
    echo "gpu-check: ready; on the GPU machine run: bash tools/gpu-check.sh device (carry .device)"
}

# Packs .device/ as ../shared/device/prepare.sh does (a jlink'd Java, the runtime jars less the CPU-only native ones,
# the classes, run.sh), also in a git worktree (where .git is a file) and without the oneDNN/OpenCL native jars.
pack() {
    local jdk="${DEVICE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
    local modules="${DEVICE_JAVA_MODULES:-java.base,java.logging,java.management,java.xml,java.desktop,jdk.unsupported,jdk.zipfs}"
    mkdir -p .device
    if [[ ! -f .device/jre.tar.xz ]]; then
        local tmp
        tmp="$(mktemp -d)"
        "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --output "$tmp/jre"
        tar -C "$tmp" -cJf .device/jre.tar.xz jre
        rm -rf "$tmp"
    fi
    rm -rf .device/lib .device/classes
    mkdir -p .device/lib
    # the CLI's jar and its runtime libraries, keeping only what the CLI, the importer, the seeded weights and the
    # CUDA engine load (64 MiB travel in all): no ND4J, oneDNN, real Caffe or ONNX Runtime
    cp "$CLI_JAR" senet4j-cli/target/lib/*.jar .device/lib/
    find .device/lib -name '*.jar' ! -name 'picocli-*' ! -name 'protobuf-java-*' ! -name 'jackson-core-*' \
        ! -name 'javacpp-*' ! -name 'cuda-*' ! -name 'slf4j-*' ! -name 'senet4j.jar' ! -name 'senet4j-core-*' \
        ! -name 'senet4j-cuda-*' ! -name 'senet4j-caffe-*' -delete
    cat > .device/run.sh <<'RUN'
#!/bin/bash
# On the GPU machine: unpack the runtime, point the loader at the image's CUDA 13 / cuDNN 9 libraries, run.
set -e
here=$(cd "$(dirname "$0")" && pwd)
[ -x /tmp/jre/bin/java ] || tar -C /tmp -xJf "$here/jre.tar.xz"
NV=$(python3 -c 'import nvidia; print(list(nvidia.__path__)[0])')
export LD_LIBRARY_PATH=$(ls -d "$NV"/*/lib | tr '\n' ':')/usr/local/nvidia/lib64:/usr/local/nvidia/lib:${LD_LIBRARY_PATH:-}
exec /tmp/jre/bin/java --enable-native-access=ALL-UNNAMED ${JAVA_OPTS:-} -cp "$here/lib/*" "$@"
RUN
    chmod +x .device/run.sh
}

# ------------------------------------------------------------------------------------------------------------------

device() {
    local out="${OUT:-$root/target/gpu-check-out}"
    local work=/tmp/gpu-check
    rm -rf "$work"
    mkdir -p "$out" "$work"
    local log="$out/log.txt"
    local t0=$SECONDS
    local budget="${GPU_CHECK_BUDGET:-500}"
    local results="$work/results.tsv"
    : > "$results"
    : > "$log"
    local models_dir=/tmp/senet4j-models
    mkdir -p "$models_dir"
    # GPU_CHECK_JAVA overrides how Java runs (e.g. "java -cp senet4j-cli/target/senet4j.jar:senet4j-cli/target/lib/*" to try the script here)
    local java_run
    read -r -a java_run <<< "${GPU_CHECK_JAVA:-bash .device/run.sh}"
    local s4j=("${java_run[@]}" org.senet4j.cli.Main)
    local seeded=("${java_run[@]}" org.senet4j.verify.caffe.SeededWeightsMain)
    export JAVA_OPTS="${JAVA_OPTS:--Xmx48g -Dorg.bytedeco.javacpp.logger=slf4j}"

    say() { echo "$@" | tee -a "$log"; }
    left() { echo $(( budget - (SECONDS - t0) )); }
    # run NAME LIMIT CMD...: runs with a time limit unless the budget is spent; stdout to $out/NAME.json
    run() {
        local name="$1" limit="$2"
        shift 2
        if [[ -n "${GPU_CHECK_ONLY:-}" && ! "$name" =~ ${GPU_CHECK_ONLY} && ! "$name" =~ ^(seeded|weights) ]]; then
            return
        fi
        if (( $(left) < 20 )); then
            say "== $name: skipped (time budget spent)"
            printf '%s\tskipped\t0\n' "$name" >> "$results"
            return
        fi
        (( limit > $(left) )) && limit=$(left)
        say "== $name ($(( SECONDS - t0 )) s)"
        local s=$SECONDS
        timeout "$limit" "$@" > "$work/$name.json" 2>> "$log"
        local rc=$?
        cat "$work/$name.json" >> "$log"
        printf '%s\t%s\t%s\n' "$name" "$rc" "$(( SECONDS - s ))" >> "$results"
        say "   exit $rc in $(( SECONDS - s )) s"
    }

    say "gpu-check device: $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
    [[ ( -f .device/run.sh || -n "${GPU_CHECK_JAVA:-}" ) && -d $REFS ]] || { say "gpu-check: .device/ or $REFS missing: run 'tools/gpu-check.sh prepare' here first and carry .device"; exit 2; }

    # 0. weights and input from their seeds, checked against what real Caffe held
    local crc
    crc="$(cat "$REFS/${MODELS[0]}/input.crc32")"
    run seeded-input 60 "${seeded[@]}" --prototxt "$REFS/../refs-protos/${MODELS[0]}.prototxt" --seed "$WEIGHT_SEED" \
        --input-out "$REFS/input_b${BATCH}_s${INPUT_SEED}.npy" --batch "$BATCH" --input-dist normal \
        --input-seed "$INPUT_SEED" --input-crc "$crc"
    for m in "${MODELS[@]}"; do
        [[ -f "$models_dir/$m.senet4j" ]] && continue
        run "weights-$m" 90 "${seeded[@]}" --prototxt "$REFS/../refs-protos/$m.prototxt" --seed "$WEIGHT_SEED" \
            --manifest "$REFS/$m/model.manifest.tsv" --out "$models_dir/$m.senet4j"
    done

    # 1. smoke test on a small net (every SENet layer type), then the acceptance verifies
    run "verify-testdata-se_resnet_mini-fp32" 60 "${s4j[@]}" verify testdata/se_resnet_mini.prototxt \
        testdata/se_resnet_mini/model.caffemodel --reference testdata/se_resnet_mini --device cuda --json --top1
    for p in fp32 tf32 fp16; do
        local tol
        case $p in fp32) tol=1e-4 ;; tf32) tol=5e-3 ;; fp16) tol=2e-2 ;; esac
        for m in "${MODELS[@]}"; do
            run "verify-$m-$p" 90 "${s4j[@]}" verify "$models_dir/$m.senet4j" --reference "$REFS/$m" \
                --device cuda --precision "$p" --tolerance "$tol" --top1 --json
        done
    done

    # 2. speed: SE-ResNet-50 and SENet-154 (GPU-only time next to end-to-end time from Java arrays)
    for p in fp16 tf32 fp32; do
        run "bench-SE-ResNet-50-b256-$p" 120 "${s4j[@]}" bench "$models_dir/SE-ResNet-50.senet4j" --device cuda \
            --precision "$p" --batch 256 --peers none --warmup 5 --iterations 30 --json
    done
    for p in fp16 fp32; do
        run "bench-SE-ResNet-50-b1-graphs-$p" 90 "${s4j[@]}" bench "$models_dir/SE-ResNet-50.senet4j" --device cuda \
            --precision "$p" --batch 1 --cuda-graphs --peers none --warmup 20 --iterations 200 --json
    done
    for p in fp16 tf32; do
        run "bench-SENet-154-b64-$p" 120 "${s4j[@]}" bench "$models_dir/SENet-154.senet4j" --device cuda \
            --precision "$p" --batch 64 --peers none --warmup 3 --iterations 20 --json
    done

    # 3. every testdata net with a real-Caffe reference set, in every precision (every layer type, passes on; the
    #    top-1 check only for the classifiers), and a profile for tuning
    for ref in testdata/*/reference.properties; do
        local net
        net=$(basename "$(dirname "$ref")")
        local top1=()
        [[ $net == se_* ]] && top1=(--top1)
        for p in fp32 tf32 fp16; do
            [[ $net == se_resnet_mini && $p == fp32 ]] && continue
            local tol
            case $p in fp32) tol=1e-4 ;; tf32) tol=5e-3 ;; fp16) tol=2e-2 ;; esac
            run "verify-testdata-$net-$p" 60 "${s4j[@]}" verify "testdata/$net.prototxt" \
                "testdata/$net/model.caffemodel" --reference "testdata/$net" --device cuda --precision "$p" \
                --tolerance "$tol" --json "${top1[@]}"
        done
    done
    run "profile-SE-ResNet-50-b256-fp16" 90 "${java_run[@]}" org.senet4j.engine.cuda.CudaDiagnostics \
        "$models_dir/SE-ResNet-50.senet4j" fp16 256 3
    cp "$work/profile-SE-ResNet-50-b256-fp16.json" "$out/profile.txt" 2>/dev/null

    summarize "$work" "$out/checks.json" | tee "$out/summary.txt"
}

summarize() {
    python3 - "$1" "${2:-/dev/null}" <<'PY'
import json, os, sys
out = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "results.tsv")) if l.strip()]
def load(name):
    try:
        return json.load(open(os.path.join(out, "%s.json" % name)))
    except Exception:
        return None
merged = {name: load(name) for name, rc, secs in rows}
if sys.argv[2] != "/dev/null":
    json.dump({"results": rows, "outputs": merged}, open(sys.argv[2], "w"), indent=1)
print()
print("%-44s %-6s %-7s %-10s %-8s %-10s %s" % ("check", "exit", "result", "worst err", "top-1", "ref margin",
                                               "time"))
verify_ok = verify_all = 0
for name, rc, secs in rows:
    if not name.startswith("verify-") and not name.startswith("seeded") and not name.startswith("weights"):
        continue
    j = load(name) if name.startswith("verify-") else None
    result, worst, top1, margin = ("ok" if rc == "0" else ("SKIP" if rc == "skipped" else "FAIL")), "", "", ""
    if j:
        result = "PASS" if j.get("pass") else "FAIL"
        worst = "%.2e" % max(b["relError"] for b in j["blobs"])
        notes = [b.get("note", "") for b in j["blobs"] if "top-1" in b.get("note", "")]
        if notes:
            n = notes[-1].split("top-1 agrees for ")[1].split(" inputs")[0]
            top1 = n.replace(" of ", "/")
            margin = notes[-1].split("smallest reference margin ")[1].split(";")[0]
    if name.startswith("verify-"):
        verify_all += 1
        verify_ok += result == "PASS"
    print("%-44s %-6s %-7s %-10s %-8s %-10s %ss" % (name, rc, result, worst, top1, margin, secs))
targets = {
    ("SE-ResNet-50", 256, "fp32"): ("img/s", 1.2 * 3339), ("SE-ResNet-50", 256, "tf32"): ("img/s", 1.2 * 6393),
    ("SE-ResNet-50", 256, "fp16"): ("img/s", 19987), ("SE-ResNet-50", 1, "fp16"): ("ms", 0.8),
    ("SE-ResNet-50", 1, "fp32"): ("ms", 3.2), ("SENet-154", 64, "tf32"): ("img/s", 1.2 * 1350),
    ("SENet-154", 64, "fp16"): ("img/s", 1.2 * 1968)}
print()
print("%-36s %-14s %-16s %-10s %s" % ("bench", "GPU-only", "end-to-end", "target", "met"))
for name, rc, secs in rows:
    if not name.startswith("bench-"):
        continue
    j = load(name)
    if not j or not j.get("results"):
        print("%-36s %s" % (name, "exit " + rc))
        continue
    r = j["results"][0]
    p = name.rsplit("-", 1)[1]
    b = r["batch"]
    dev = r.get("deviceOnly") or {}
    e2e = r["senet4j"]["medianMs"]
    kind, goal = targets.get((r["model"], b, p), ("img/s", 0))
    if kind == "ms":
        val = dev.get("medianMs", float("nan"))
        print("%-36s %-14s %-16s %-10s %s" % (name, "%.3f ms" % val, "%.3f ms" % e2e, "<= %.1f ms" % goal,
                                               "yes" if val <= goal else "NO"))
    else:
        val = 1000.0 * b / dev["medianMs"] if dev else float("nan")
        print("%-36s %-14s %-16s %-10s %s" % (name, "%.0f img/s" % val, "%.0f img/s" % (1000.0 * b / e2e),
                                               ">= %.0f" % goal, "yes" if val >= goal else "NO"))
print()
print("verify: %d of %d passed" % (verify_ok, verify_all))
PY
}

case "${1:-}" in
    prepare) prepare ;;
    device) device ;;
    summarize) summarize "${2:?output folder}" ;;
    *) sed -n '2,21p' "$0"; exit 2 ;;
esac
