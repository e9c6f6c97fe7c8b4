package dev.gguflens.report;

import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.sim.ErrorEngine;
import dev.gguflens.sim.SimulationResult;
import dev.gguflens.sim.TensorError;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One file type of a {@code gguflens simulate} run: llama-quantize's plan with the options given, what an
 * importance matrix would change, and with {@code --error} the measured quantization error.
 *
 * @param plan            the plan with the options as given
 * @param imatrixRequired llama-quantize would refuse this run without an importance matrix and accept it with one
 * @param withImatrix     when the run has no importance matrix and one would change the outcome (make a refused
 *                        run possible, or change some tensors' types): the plan with one assumed; else null
 * @param error           with {@code --error}, the measured error of an accepted run; else null
 * @param errorFailure    with {@code --error}, why the accepted run could not be measured (a tensor ggml would abort
 *                        on, a type gguflens cannot quantize yet), naming the tensor; else null
 * @param withoutImatrix  with {@code --compare-imatrix}: the same file type without the importance matrix, planned and
 *                        measured; else null
 */
public record SimulateResult(Plan plan, boolean imatrixRequired, Plan withImatrix, SimulationResult error, String errorFailure,
                             Unweighted withoutImatrix) {

    /**
     * A run of {@code --compare-imatrix}: the file type planned without the importance matrix and, when llama-quantize
     * accepts that, its measured error.
     *
     * @param plan    the plan without an importance matrix (failed for the types that require one)
     * @param error   its measured error, or null (refused, or not measured)
     * @param failure why an accepted plan could not be measured, or null
     */
    public record Unweighted(Plan plan, SimulationResult error, String failure) {
        /** The plan and, when it was measured ({@code measured} not null), what that gave. */
        public static Unweighted of(Plan plan, ErrorEngine.Outcome measured) {
            return new Unweighted(plan, measured == null ? null : measured.result(), reason(measured));
        }

        /** How many tensors get another type than in {@code weighted} (0 when either run is refused). */
        public int tensorsWithOtherTypes(Plan weighted) {
            if (!plan.ok() || !weighted.ok()) {
                return 0;
            }
            int n = 0;
            for (int i = 0; i < plan.tensors().size(); i++) {
                if (!plan.tensors().get(i).targetType().equals(weighted.tensors().get(i).targetType())) {
                    n++;
                }
            }
            return n;
        }
    }

    /** A planned result, not (yet) measured. */
    public SimulateResult(Plan plan, boolean imatrixRequired, Plan withImatrix) {
        this(plan, imatrixRequired, withImatrix, null, null, null);
    }

    /** This result with its measured error, or the reason it could not be measured. */
    public SimulateResult withError(ErrorEngine.Outcome measured) {
        return new SimulateResult(plan, imatrixRequired, withImatrix, measured.result(), reason(measured), withoutImatrix);
    }

    /** Why a run could not be measured, or null. */
    private static String reason(ErrorEngine.Outcome measured) {
        return measured == null || measured.failure() == null ? null : measured.failure().getMessage();
    }

    /** This result with the same file type's run without the importance matrix ({@code --compare-imatrix}). */
    public SimulateResult withUnweighted(Unweighted without) {
        return new SimulateResult(plan, imatrixRequired, withImatrix, error, errorFailure, without);
    }

    /** The converted tensors that go without the run's importance weights (no entry, or a token embedding of another length). */
    public List<PlannedTensor> unweightedTensors() {
        return plan.tensors().stream().filter(t -> t.imatrix().unweighted()).toList();
    }

    /** The measured tensors by name (empty without a measurement). */
    public Map<String, TensorError> tensorErrors() {
        Map<String, TensorError> m = new HashMap<>();
        if (error != null) {
            error.tensors().forEach(t -> m.put(t.name(), t));
        }
        return m;
    }

    public LlamaFileType ftype() {
        return plan.ftype();
    }

    public boolean ok() {
        return plan.ok();
    }

    /** Output file bytes minus the source file's bytes (negative when smaller); meaningful only when ok. */
    public long changeBytes(long sourceFileBytes) {
        return plan.fileBytes() - sourceFileBytes;
    }

    /** How many tensors are converted from a quantized type (dequantized and quantized again). */
    public int requantizedTensors() {
        int n = 0;
        for (PlannedTensor t : plan.tensors()) {
            if (t.sourceType().quantized() && !t.copied()) {
                n++;
            }
        }
        return n;
    }

    /** How many tensors get another type with an importance matrix (0 without {@link #withImatrix()} or when either run fails). */
    public int tensorsChangedByImatrix() {
        if (withImatrix == null || !withImatrix.ok() || !plan.ok()) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i < plan.tensors().size(); i++) {
            if (!plan.tensors().get(i).targetType().equals(withImatrix.tensors().get(i).targetType())) {
                n++;
            }
        }
        return n;
    }

    /** The size results are ordered by: this run's file, else the file it would be with an imatrix, else none (last). */
    long sortBytes() {
        if (plan.ok()) {
            return plan.fileBytes();
        }
        return withImatrix != null && withImatrix.ok() ? withImatrix.fileBytes() : Long.MAX_VALUE;
    }
}
