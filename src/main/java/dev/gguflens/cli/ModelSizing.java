package dev.gguflens.cli;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.memory.ContextMemory;
import dev.gguflens.memory.ContextOptions;
import dev.gguflens.memory.ModelDims;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.Planner;
import dev.gguflens.report.FitReport;
import dev.gguflens.report.SimulateResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads and plans the models of a {@code fit} run: per model a header parse, its dimensions and context memory,
 * and one plan per file type (a type refused for want of an importance matrix is planned once more as if given
 * one, so its size is known). The work is spread over the cores: every model is read on its own task, and its
 * file types are planned in as many slices as there are cores, so three models on two cores keep both busy.
 */
final class ModelSizing {

    /** One model read and sized: its open file (the caller closes it), its context memory and one result per file type. */
    record Sized(GgufFile file, FitReport.Model model, List<SimulateResult> results) {
    }

    private record Read(GgufFile file, FitReport.Model model) {
    }

    private final LlamaQuantizeOptions quantize;
    private final List<LlamaFileType> ftypes;
    private final ImatrixMode imatrix;
    private final ContextOptions context;

    ModelSizing(LlamaQuantizeOptions quantize, List<LlamaFileType> ftypes, ImatrixMode imatrix, ContextOptions context) {
        this.quantize = quantize;
        this.ftypes = List.copyOf(ftypes);
        this.imatrix = imatrix;
        this.context = context;
    }

    /**
     * Every file sized, in the order given. A failure is reported for the first failing file in that order, after
     * every file opened has been closed again.
     */
    List<Sized> run(List<Path> files) throws FileFailure, GgufFormatException {
        int cores = Runtime.getRuntime().availableProcessors();
        int slices = Math.max(1, Math.min(cores, ftypes.size()));
        List<Future<Read>> reads = new ArrayList<>();
        List<List<Future<List<Plan>>>> plans = new ArrayList<>();
        List<Read> done = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(cores, Thread.ofPlatform().name("fit-", 0).daemon().factory())) {
            // All reads go first: a planning task that waits for its model's read then never waits behind a queued one.
            for (Path file : files) {
                reads.add(pool.submit(() -> read(file)));
            }
            for (int i = 0; i < files.size(); i++) {
                Future<Read> read = reads.get(i);
                List<Future<List<Plan>>> slicesOfModel = new ArrayList<>();
                for (int s = 0; s < slices; s++) {
                    List<LlamaFileType> slice = ftypes.subList(s * ftypes.size() / slices, (s + 1) * ftypes.size() / slices);
                    slicesOfModel.add(pool.submit(() -> Planner.plan(read.get().file(), quantize.toOptions(slice.getFirst(), imatrix), slice)));
                }
                plans.add(slicesOfModel);
            }
            List<Sized> out = new ArrayList<>();
            Exception failure = null;
            for (int i = 0; i < files.size(); i++) {
                try {
                    Read r = reads.get(i).get();
                    done.add(r);
                    List<Plan> all = new ArrayList<>(ftypes.size());
                    for (Future<List<Plan>> s : plans.get(i)) {
                        all.addAll(s.get());
                    }
                    if (failure == null) {
                        out.add(new Sized(r.file(), r.model(), results(r.file(), all)));
                    }
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : cause(files.get(i), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure != null ? failure : new IllegalStateException("interrupted while sizing", e);
                } catch (GgufFormatException e) {
                    failure = failure != null ? failure : new FileFailure(files.get(i), e.getMessage(), ExitCode.INVALID_GGUF, e);
                }
            }
            if (failure != null) {
                drainAndClose(reads, done);
                switch (failure) {
                    case FileFailure f -> throw f;
                    case RuntimeException r -> throw r;
                    default -> throw new IllegalStateException(failure);
                }
            }
            return out;
        }
    }

    /** Opens a model and works out its context's memory. */
    private Read read(Path file) throws FileFailure {
        GgufFile f = InputFiles.openGguf(file);
        try {
            ModelDims dims = ModelDims.of(f);
            return new Read(f, new FitReport.Model(file.toString(), dims, ContextMemory.of(dims, context)));
        } catch (GgufFormatException e) {
            f.close();
            throw new FileFailure(file, e.getMessage(), ExitCode.INVALID_GGUF, e);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** The plans as results: a refused type that an importance matrix would make possible is planned with one assumed. */
    private List<SimulateResult> results(GgufFile f, List<Plan> plans) throws GgufFormatException {
        List<LlamaFileType> refused = new ArrayList<>();
        for (Plan p : plans) {
            if (!p.ok()) {
                refused.add(p.ftype());
            }
        }
        List<Plan> assumed = imatrix instanceof ImatrixMode.None && !refused.isEmpty()
                ? Planner.plan(f, quantize.toOptions(refused.getFirst(), ImatrixMode.ASSUMED), refused) : List.of();
        List<SimulateResult> results = new ArrayList<>(plans.size());
        int next = 0;
        for (Plan p : plans) {
            Plan withImatrix = p.ok() || assumed.isEmpty() ? null : assumed.get(next++);
            boolean required = withImatrix != null && withImatrix.ok();
            results.add(new SimulateResult(p, required, required ? withImatrix : null));
        }
        return results;
    }

    /** A task's failure as the command reports it: a planning task's format error names the file. */
    private static Exception cause(Path file, Throwable t) {
        return switch (t) {
            case FileFailure f -> f;
            case ExecutionException e -> cause(file, e.getCause()); // a planning task that waited for a failed read
            case GgufFormatException g -> new FileFailure(file, g.getMessage(), ExitCode.INVALID_GGUF, g);
            case RuntimeException r -> r;
            default -> new IllegalStateException(t);
        };
    }

    /** Closes every file that was opened, including those read after the first failure. */
    private static void drainAndClose(List<Future<Read>> reads, List<Read> done) {
        for (Future<Read> r : reads) {
            try {
                Read read = r.get();
                if (!done.contains(read)) {
                    done.add(read);
                }
            } catch (ExecutionException | InterruptedException e) {
                // a failed read opened nothing (it closes its own file); an interrupt leaves the rest to the JVM's exit
            }
        }
        done.forEach(r -> r.file().close());
    }
}
