package dev.gguflens.testing;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.Planner;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.sim.Cancellation;
import dev.gguflens.sim.ErrorEngine;
import dev.gguflens.sim.PipelineSettings;
import dev.gguflens.sim.ProgressListener;
import dev.gguflens.sim.SimulationResult;
import dev.gguflens.sim.SimulationSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs the error engine from the command line, for measurements in a JVM of its own (the memory bound,
 * throughput): {@code EngineRun generate FILE LAYERS} writes a generated F16 model (n_embd 2048, n_ff
 * 5632, vocab 32000; 51.4 M parameters per layer plus 131 M); {@code EngineRun simulate FILE FTYPE
 * THREADS} measures it and prints one line: time, MB/s of source data, model relative RMSE, peak heap.
 */
public final class EngineRun {
    private EngineRun() {
    }

    /** The generated model with {@code layers} layers. */
    public static GeneratedModel model(int layers) {
        return GeneratedModel.of(2048, 5632, 32000, layers, GgmlType.F16);
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "generate" -> {
                GeneratedModel m = model(Integer.parseInt(args[2]));
                long t0 = System.nanoTime();
                m.write(Path.of(args[1]));
                System.out.printf(Locale.ROOT, "generated %s: %d parameters, %.1f s%n", args[1], m.parameters(), (System.nanoTime() - t0) / 1e9);
            }
            case "simulate" -> simulate(Path.of(args[1]), LlamaFileType.parse(args[2]).orElseThrow(), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("usage: EngineRun generate FILE LAYERS | simulate FILE FTYPE THREADS");
        }
    }

    private static void simulate(Path file, LlamaFileType ftype, int threads) throws Exception {
        try (GgufFile f = GgufReader.open(file)) {
            Plan plan = Planner.plan(f, QuantizeOptions.of(ftype));
            SimulationResult r = ErrorEngine.simulate(f, plan, new SimulationSettings(PipelineSettings.withThreads(threads), null),
                    ProgressListener.NONE, Cancellation.none());
            double seconds = r.elapsedNanos() / 1e9;
            System.out.printf(Locale.ROOT, "simulate %s %s, %d threads: %d tensors, %.1f s, %.1f MB/s of source data, "
                            + "relative RMSE %.6f, peak heap %.0f MB of %.0f MB%n", file.getFileName(), ftype, threads,
                    r.tensors().size(), seconds, plan.sourceTensorBytes() / 1e6 / seconds, r.model().relativeRmse(),
                    peakHeap() / 1e6, Runtime.getRuntime().maxMemory() / 1e6);
        }
    }

    /** The sum of the heap pools' peak use (an upper bound of the heap's peak). */
    static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
