package dev.gguflens.cli;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.Planner;
import dev.gguflens.report.SimulateResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Plans the file types a simulate run asks for, each with the options given and, to say what an
 * importance matrix changes, also without one and with one assumed. Planning reads only the header,
 * so the extra plans cost milliseconds even for the largest models.
 */
final class Simulation {
    private Simulation() {
    }

    /** One result per file type, in the order given. */
    static List<SimulateResult> run(GgufFile source, LlamaQuantizeOptions options, List<LlamaFileType> ftypes, ImatrixMode mode)
            throws GgufFormatException {
        // Every file type at once: the plans share one preparation of the model.
        boolean all = ftypes.equals(LlamaFileType.current());
        // The other imatrix modes are planned on their own threads while this one plans the run as given,
        // so on two cores --all on a 2,000-tensor model takes about the time of one set of plans.
        FutureTask<List<Plan>> without = mode instanceof ImatrixMode.None ? null
                : start(() -> plans(source, options, ftypes, ImatrixMode.NONE, all));
        FutureTask<List<Plan>> assumed = mode instanceof ImatrixMode.Assumed ? null
                : start(() -> plans(source, options, ftypes, ImatrixMode.ASSUMED, all));
        List<Plan> asGiven = plans(source, options, ftypes, mode, all);
        List<Plan> withoutPlans = without == null ? asGiven : join(without);
        List<Plan> assumedPlans = assumed == null ? asGiven : join(assumed);

        List<SimulateResult> results = new ArrayList<>(ftypes.size());
        for (int i = 0; i < ftypes.size(); i++) {
            Plan p = asGiven.get(i);
            Plan a = assumedPlans.get(i);
            boolean required = !withoutPlans.get(i).ok() && a.ok();
            // Only a run without an imatrix says what one would change; with one, the plan already is that.
            boolean changes = mode instanceof ImatrixMode.None && a.ok() && (!p.ok() || typesDiffer(p, a));
            results.add(new SimulateResult(p, required, changes ? a : null));
        }
        return results;
    }

    private static List<Plan> plans(GgufFile source, LlamaQuantizeOptions options, List<LlamaFileType> ftypes, ImatrixMode mode,
                                    boolean all) throws GgufFormatException {
        if (all) {
            return Planner.planAll(source, options.toOptions(ftypes.getFirst(), mode));
        }
        List<Plan> plans = new ArrayList<>(ftypes.size());
        for (LlamaFileType f : ftypes) {
            plans.add(Planner.plan(source, options.toOptions(f, mode)));
        }
        return plans;
    }

    private static FutureTask<List<Plan>> start(Callable<List<Plan>> work) {
        FutureTask<List<Plan>> task = new FutureTask<>(work);
        // A daemon: should the main thread fail first, the process still exits.
        Thread.ofPlatform().name("simulate-plans").daemon().start(task);
        return task;
    }

    /** The task's plans; its format error or failure as if it had been thrown here. */
    private static List<Plan> join(FutureTask<List<Plan>> task) throws GgufFormatException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while planning", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case GgufFormatException g -> throw g;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Whether any tensor gets another type (both plans list the same tensors in the same order). */
    private static boolean typesDiffer(Plan a, Plan b) {
        for (int i = 0; i < a.tensors().size(); i++) {
            if (!a.tensors().get(i).targetType().equals(b.tensors().get(i).targetType())) {
                return true;
            }
        }
        return false;
    }
}
