package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.TestFiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Running {@code gguflens simulate} in tests, and what llama.cpp wrote for the shipped source (expected-sizes.tsv). */
final class SimulateRuns {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String F16 = TestFiles.testdata("tiny-gqa-f16.gguf").toString();
    static final String Q4KM = TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf").toString();
    static final String IMATRIX = TestFiles.testdata("imatrix-tiny-gqa.gguf").toString();

    /**
     * The {@code main} set of expected-sizes.tsv for tiny-gqa F16 (rows "main tiny-gqa F16 FTYPE ... default"),
     * in enum order: {@code file_bytes} of each ok run, or for a refused run the target type its message
     * names ("offending tensor: blk.0.attn_k.weight | - target type: T"), or "invalid output file type 39".
     */
    static final Map<String, Object> MAIN_F16 = mainF16();

    private static Map<String, Object> mainF16() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ALL_F32", 5_785_408L);
        m.put("MOSTLY_F16", 2_901_824L);
        m.put("MOSTLY_Q4_0", 863_040L);
        m.put("MOSTLY_Q4_1", 944_960L);
        m.put("MOSTLY_Q8_0", 1_550_144L);
        m.put("MOSTLY_Q5_0", 1_026_880L);
        m.put("MOSTLY_Q5_1", 1_108_800L);
        m.put("MOSTLY_Q2_K", 602_432L);
        m.put("MOSTLY_Q3_K_S", 688_960L);
        m.put("MOSTLY_Q3_K_M", 758_080L);
        m.put("MOSTLY_Q3_K_L", 807_232L);
        m.put("MOSTLY_Q4_K_S", 871_232L);
        m.put("MOSTLY_Q4_K_M", 905_280L);
        m.put("MOSTLY_Q5_K_S", 1_026_880L);
        m.put("MOSTLY_Q5_K_M", 1_048_640L);
        m.put("MOSTLY_Q6_K", 1_200_960L);
        m.put("MOSTLY_IQ2_XXS", "iq2_xxs");
        m.put("MOSTLY_IQ2_XS", "iq2_xs");
        m.put("MOSTLY_Q2_K_S", "q2_K");
        m.put("MOSTLY_IQ3_XS", "iq3_xxs");
        m.put("MOSTLY_IQ3_XXS", "iq2_s");
        m.put("MOSTLY_IQ1_S", "iq1_s");
        m.put("MOSTLY_IQ4_NL", 863_040L);
        m.put("MOSTLY_IQ3_S", 688_960L);
        m.put("MOSTLY_IQ3_M", 715_072L);
        m.put("MOSTLY_IQ2_S", "iq2_xs");
        m.put("MOSTLY_IQ2_M", "iq2_s");
        m.put("MOSTLY_IQ4_XS", 822_080L);
        m.put("MOSTLY_IQ1_M", "iq1_m");
        m.put("MOSTLY_BF16", 2_901_824L);
        m.put("MOSTLY_TQ1_0", 448_320L);
        m.put("MOSTLY_TQ2_0", 503_616L);
        m.put("MOSTLY_MXFP4_MOE", 1_550_144L);
        m.put("MOSTLY_NVFP4", "invalid output file type 39");
        m.put("MOSTLY_Q1_0", 310_080L);
        m.put("MOSTLY_Q2_0", 531_264L);
        return m;
    }

    private SimulateRuns() {
    }

    /** {@code gguflens simulate ARGS --json}, which must succeed with nothing on stderr. */
    static JsonNode json(String... args) throws Exception {
        CommandRun run = CommandRun.of(withJson(args));
        assertEquals(ExitCode.OK, run.exitCode(), run::toString);
        assertEquals("", run.err(), "nothing on stderr");
        return JSON.readTree(run.out());
    }

    /** {@code gguflens simulate ARGS}, which must succeed with nothing on stderr. */
    static CommandRun ok(String... args) {
        CommandRun run = CommandRun.of(simulate(args));
        assertEquals(ExitCode.OK, run.exitCode(), run::toString);
        assertEquals("", run.err(), "nothing on stderr");
        return run;
    }

    static String[] simulate(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "simulate";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }

    static String[] withJson(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "simulate";
        all[1] = "--json";
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    /** The result for {@code ftype} (enum name) in a several-ftype JSON output. */
    static JsonNode result(JsonNode several, String ftype) {
        for (JsonNode r : several.get("results")) {
            if (r.get("ftype").asText().equals(ftype)) {
                return r;
            }
        }
        throw new AssertionError("no result for " + ftype + " in " + several);
    }

    /** The tensor named {@code name} of a result. */
    static JsonNode tensor(JsonNode result, String name) {
        for (JsonNode t : result.get("tensors")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tensor " + name + " in " + result);
    }

    /** The tensors' target types by name. */
    static Map<String, String> targetTypes(JsonNode result) {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode t : result.get("tensors")) {
            m.put(t.get("name").asText(), t.get("targetType").asText());
        }
        return m;
    }

    /** The elements of an array of strings. */
    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(n.asText());
        }
        return out;
    }
}
