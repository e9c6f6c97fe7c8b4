package dev.gguflens.cli;

import static dev.gguflens.cli.SimulateRuns.F16;
import static dev.gguflens.cli.SimulateRuns.MAIN_F16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.CommandRun;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code gguflens simulate ... --error --plot FILE.svg|FILE.png}: the picture holds what the table holds, where the axes say. */
class SimulatePlotTest {

    /**
     * The file types of the main test: sizes from expected-sizes.tsv (SimulateRuns.MAIN_F16), and llama.cpp's total squared
     * error over all tensors (expected-errors.tsv, rows "main tiny-gqa F16 FTYPE default", summed by hand). One source, so
     * one sum of squares: relative RMSE orders as the squared error does.
     * <pre>
     *   Q4_0    863,040  6.0286      IQ4_NL  863,040  4.3893      Q4_K_M  905,280  3.0749      Q4_1  944,960  4.1738
     *   Q6_K  1,200,960  0.28454     BF16  2,901,824  0.0018319   F16   2,901,824  0           F32 5,785,408  0
     * </pre>
     * Q4_0 loses to IQ4_NL (same size, less error), Q4_1 to Q4_K_M (smaller, less error), BF16 to F16 (same size, none),
     * F32 to F16 (smaller, none): the frontier is IQ4_NL, Q4_K_M, Q6_K and F16. IQ2_XXS is refused without an importance matrix.
     */
    static final List<String> FTYPES = List.of("Q4_0", "IQ4_NL", "Q4_K_M", "Q4_1", "Q6_K", "BF16", "F16", "F32");
    static final Set<String> FRONTIER = Set.of("IQ4_NL", "Q4_K_M", "Q6_K", "F16");
    static final String ODD_NAME = "x<&\"y.gguf";

    static Document parse(Path svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(svg.toFile());
    }

    /** The elements of a tag name with a class. */
    static List<Element> byClass(Element root, String tag, String kind) {
        List<Element> out = new ArrayList<>();
        NodeList l = root.getElementsByTagName(tag);
        for (int i = 0; i < l.getLength(); i++) {
            Element e = (Element) l.item(i);
            if (kind.equals(e.getAttribute("class"))) {
                out.add(e);
            }
        }
        return out;
    }

    static double d(Element e, String attr) {
        return Double.parseDouble(e.getAttribute(attr));
    }

    /** "384 KiB", "1.5 MiB", "2 GiB" read back as bytes. */
    static double bytes(String label) {
        Matcher m = Pattern.compile("([0-9.]+) (B|KiB|MiB|GiB)").matcher(label);
        assertTrue(m.matches(), label);
        int power = List.of("B", "KiB", "MiB", "GiB").indexOf(m.group(2));
        return Double.parseDouble(m.group(1)) * Math.pow(1024, power);
    }

    /** "0.5%", "2%" read back as a fraction. */
    static double fraction(String label) {
        assertTrue(label.endsWith("%"), label);
        return Double.parseDouble(label.substring(0, label.length() - 1)) / 100;
    }

    /** Pixel positions of the labelled ticks, by value (from the label text). */
    static TreeMap<Double, Double> ticks(Element svg, String kind, boolean x) {
        TreeMap<Double, Double> t = new TreeMap<>();
        for (Element e : byClass(svg, "text", kind)) {
            String label = e.getTextContent();
            if (label.equals("0")) {
                continue;
            }
            t.put(x ? bytes(label) : fraction(label), x ? d(e, "x") : d(e, "y") - 4); // y labels sit 4 px below their line
        }
        return t;
    }

    /** Where {@code v} should be drawn, by the log scale through the two labelled ticks around it. */
    static double expectedPixel(TreeMap<Double, Double> ticks, double v) {
        Map.Entry<Double, Double> a = ticks.floorEntry(v) != null ? ticks.floorEntry(v) : ticks.firstEntry();
        Map.Entry<Double, Double> b = ticks.higherEntry(a.getKey()) != null ? ticks.higherEntry(a.getKey()) : ticks.lowerEntry(a.getKey());
        return a.getValue() + (b.getValue() - a.getValue()) * Math.log(v / a.getKey()) / Math.log(b.getKey() / a.getKey());
    }

    @Test
    void twoModelsGiveTwoSeriesWithAPointPerFileTypeAndTheFrontierJoined(@TempDir Path tmp) throws Exception {
        Path copy = Files.copy(Path.of(F16), tmp.resolve(ODD_NAME));
        Path out = tmp.resolve("frontier.svg");
        // The budget is Q4_K_M's exact size, so its line must pass through Q4_K_M's points.
        CommandRun run = SimulateRuns.ok(F16, copy.toString(), "--to", String.join(",", FTYPES) + ",IQ2_XXS", "--error",
                "--plot", out.toString(), "--memory", Long.toString((Long) MAIN_F16.get("MOSTLY_Q4_K_M")));
        assertTrue(run.out().contains("Options across 2 models"), "the table is still printed");
        Document doc = parse(out);
        Element svg = doc.getDocumentElement();
        assertEquals("1200", svg.getAttribute("width"));

        List<Element> series = byClass(svg, "g", "series");
        assertEquals(2, series.size());
        assertEquals("tiny-gqa-f16.gguf", series.get(0).getAttribute("data-model"));
        assertEquals(ODD_NAME, series.get(1).getAttribute("data-model"));

        List<double[]> frontierDots = new ArrayList<>();
        Map<String, Element> q4km = new TreeMap<>();
        for (Element s : series) {
            List<Element> dots = byClass(s, "*", "dot");
            assertEquals(FTYPES.stream().sorted().toList(), dots.stream().map(e -> e.getAttribute("data-ftype")).sorted().toList(),
                    "one point per file type llama-quantize accepts");
            for (Element dot : dots) {
                String ftype = dot.getAttribute("data-ftype");
                String enumName = ftype.equals("F32") ? "ALL_F32" : "MOSTLY_" + ftype;
                assertEquals(MAIN_F16.get(enumName), Long.parseLong(dot.getAttribute("data-bytes")), ftype);
                boolean frontier = FRONTIER.contains(ftype);
                assertEquals(Boolean.toString(frontier), dot.getAttribute("data-frontier"), ftype);
                double[] at = centre(dot);
                if (frontier) {
                    frontierDots.add(at);
                }
                if (ftype.equals("Q4_K_M")) {
                    q4km.put(s.getAttribute("data-model"), dot);
                }
                // Filled on the frontier, open elsewhere.
                assertEquals(frontier, !dot.getAttribute("fill").equals("#ffffff"), ftype);
            }
        }

        // The frontier line passes through exactly the frontier's points (both files': they tie), smallest first.
        List<Element> lines = byClass(svg, "polyline", "frontier");
        assertEquals(1, lines.size());
        List<double[]> vertices = new ArrayList<>();
        for (String p : lines.getFirst().getAttribute("points").split(" ")) {
            String[] xy = p.split(",");
            vertices.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        assertEquals(sorted(frontierDots), sorted(vertices));
        for (int i = 1; i < vertices.size(); i++) {
            assertTrue(vertices.get(i)[0] >= vertices.get(i - 1)[0], "left to right");
        }

        // The budget line is vertical, at Q4_K_M's x.
        List<Element> budget = byClass(svg, "line", "budget");
        assertEquals(1, budget.size());
        assertEquals(d(budget.getFirst(), "x1"), d(budget.getFirst(), "x2"));
        for (Element dot : q4km.values()) {
            assertEquals(centre(dot)[0], d(budget.getFirst(), "x1"), 0.01);
        }

        // Every point is where the axes' labelled ticks put it: x by its bytes, y by its relative RMSE (zero: in the 0 band).
        TreeMap<Double, Double> xTicks = ticks(svg, "x-tick", true);
        TreeMap<Double, Double> yTicks = ticks(svg, "y-tick", false);
        assertTrue(xTicks.size() >= 3 && yTicks.size() >= 2, xTicks + " " + yTicks);
        Element band = byClass(svg, "rect", "zero-band").getFirst();
        for (Element dot : byClass(svg, "*", "dot")) {
            double[] at = centre(dot);
            assertEquals(expectedPixel(xTicks, Double.parseDouble(dot.getAttribute("data-bytes"))), at[0], 0.05, dot.getAttribute("data-ftype"));
            double err = Double.parseDouble(dot.getAttribute("data-relative-rmse"));
            double y = err == 0 ? d(band, "y") + d(band, "height") / 2 : expectedPixel(yTicks, err);
            assertEquals(y, at[1], 0.05, dot.getAttribute("data-ftype"));
        }

        // The title names the file types; the refused one is named under the legend; the odd name reads back as it is.
        String title = doc.getElementsByTagName("title").item(0).getTextContent();
        assertTrue(title.contains("2 models") && title.contains("Q4_K_M") && title.contains("IQ2_XXS"), title);
        String all = svg.getTextContent();
        assertTrue(all.contains("Relative RMSE over every weight"), all);
        assertTrue(all.contains("Not shown: IQ2_XXS (need an importance matrix)"), all);
        assertTrue(all.contains(ODD_NAME + " (1.44 M parameters)"), all);
        assertTrue(Files.readString(out).contains("x&lt;&amp;&quot;y.gguf"));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(Set.of(ODD_NAME, "frontier.svg"), Set.copyOf(files.map(p -> p.getFileName().toString()).toList()),
                    "no temporary file left");
        }
    }

    @Test
    void thePngIsTheSameSceneDrawn(@TempDir Path tmp) throws Exception {
        Path svgFile = tmp.resolve("one.svg");
        Path pngFile = tmp.resolve("one.PNG");
        String[] args = {F16, "--to", "Q4_0,IQ4_NL,Q4_K_M,F16", "--error", "--plot"};
        SimulateRuns.ok(concat(args, svgFile.toString()));
        SimulateRuns.ok(concat(args, pngFile.toString()));
        Element svg = parse(svgFile).getDocumentElement();
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(pngFile)));
        assertEquals(Integer.parseInt(svg.getAttribute("width")), png.getWidth());
        assertEquals(Integer.parseInt(svg.getAttribute("height")), png.getHeight());
        assertEquals(1, byClass(svg, "g", "series").size());
        for (Element dot : byClass(svg, "*", "dot")) {
            double[] at = centre(dot);
            int rgb = png.getRGB((int) Math.round(at[0]), (int) Math.round(at[1])) & 0xFFFFFF;
            // The first series is blue (#0072B2): filled on the frontier, white inside elsewhere (Q4_0 loses to IQ4_NL).
            int expected = dot.getAttribute("data-ftype").equals("Q4_0") ? 0xFFFFFF : 0x0072B2;
            assertEquals(Integer.toHexString(expected), Integer.toHexString(rgb), dot.getAttribute("data-ftype"));
        }
    }

    @Test
    void aSampledRunSaysSoAndDrawsEachEstimatesInterval(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("s.svg");
        SimulateRuns.ok(F16, "--to", "Q4_K_M,Q8_0", "--sample", "0.5", "--plot", out.toString());
        Element svg = parse(out).getDocumentElement();
        assertTrue(svg.getTextContent().contains("Relative RMSE estimated from a 50% sample of blocks"), svg.getTextContent());
        assertEquals(2, byClass(svg, "line", "interval").size());
        for (Element bar : byClass(svg, "line", "interval")) {
            assertEquals(d(bar, "x1"), d(bar, "x2"), "vertical");
            assertTrue(d(bar, "y1") > d(bar, "y2"), "from the low end (further down) to the high end");
        }
    }

    @Test
    void anExistingPictureIsReplacedWhole(@TempDir Path tmp) throws Exception {
        Path out = Files.writeString(tmp.resolve("old.svg"), "not a picture");
        SimulateRuns.ok(F16, "--to", "Q4_K_M", "--error", "--plot", out.toString());
        assertTrue(Files.readString(out, StandardCharsets.UTF_8).startsWith("<?xml"));
        parse(out);
    }

    static void assertUsage(CommandRun run, String pattern) {
        assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
        assertTrue(run.errLines().getFirst().matches(pattern), run.errLines().getFirst() + " !~ " + pattern);
        assertEquals(List.of("Try 'gguflens simulate --help' for more information."), run.errLines().subList(1, run.errLines().size()));
        assertEquals("", run.out());
    }

    @Test
    void thereIsNoErrorToPlotWithoutError(@TempDir Path tmp) {
        assertUsage(CommandRun.of("simulate", F16, "--to", "Q4_K_M", "--plot", tmp.resolve("p.svg").toString()),
                "gguflens: --plot needs --error \\(or --sample FRACTION\\): without it there is no error to plot");
        assertFalse(Files.exists(tmp.resolve("p.svg")));
    }

    @Test
    void onlySvgAndPngAreDrawn(@TempDir Path tmp) {
        assertUsage(CommandRun.of("simulate", F16, "--to", "Q4_K_M", "--error", "--plot", tmp.resolve("p.jpg").toString()),
                "gguflens: --plot .*p\\.jpg: unknown picture format; the file name must end in \\.svg or \\.png");
    }

    @Test
    void aBadMemorySizeIsAUsageError(@TempDir Path tmp) {
        assertUsage(CommandRun.of("simulate", F16, "--to", "Q4_K_M", "--error", "--plot", tmp.resolve("p.svg").toString(),
                "--memory", "24XB"), "gguflens: Invalid value for option '--memory': invalid memory size '24XB': write a number and a unit.*");
        assertUsage(CommandRun.of("simulate", F16, "--to", "Q4_K_M", "--error", "--memory", "24GiB"),
                "gguflens: --memory needs --plot FILE \\(it draws the budget on the picture\\)");
    }

    @Test
    void anUnwritablePlaceFailsBeforeAnyMeasuring(@TempDir Path tmp) throws Exception {
        CommandRun run = CommandRun.of("simulate", F16, "--to", "Q4_K_M", "--error", "--plot", tmp.resolve("no/such/p.svg").toString());
        assertEquals(ExitCode.IO, run.exitCode(), run::toString);
        assertEquals(List.of("gguflens: " + tmp.resolve("no/such/p.svg") + ": its folder does not exist"), run.errLines());
        assertEquals("", run.out(), "nothing measured, nothing printed");

        Path dir = Files.createDirectory(tmp.resolve("d.svg"));
        run = CommandRun.of("simulate", F16, "--to", "Q4_K_M", "--error", "--plot", dir.toString());
        assertEquals(ExitCode.IO, run.exitCode(), run::toString);
        assertEquals(List.of("gguflens: " + dir + ": is a directory; give the path of the picture to write"), run.errLines());

        Path input = Files.copy(Path.of(F16), tmp.resolve("model.svg"));
        run = CommandRun.of("simulate", input.toString(), "--to", "Q4_K_M", "--error", "--plot", input.toString());
        assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
        assertEquals(List.of("gguflens: " + input + ": is one of the input files; choose another name for the picture"), run.errLines());
        assertEquals(Files.size(Path.of(F16)), Files.size(input), "the input is untouched");
    }

    private static double[] centre(Element dot) {
        if (dot.getTagName().equals("circle")) {
            return new double[] {d(dot, "cx"), d(dot, "cy")};
        }
        // The second series' squares: "M x y L x y L x y L x y Z", centred on the point.
        String[] n = dot.getAttribute("d").replaceAll("[MLZ]", " ").trim().split("\\s+");
        assertEquals(8, n.length, dot.getAttribute("d"));
        double x = 0, y = 0;
        for (int i = 0; i < 8; i += 2) {
            x += Double.parseDouble(n[i]) / 4;
            y += Double.parseDouble(n[i + 1]) / 4;
        }
        return new double[] {x, y};
    }

    private static List<List<Double>> sorted(List<double[]> points) {
        return points.stream().map(p -> List.of(Math.round(p[0] * 100) / 100.0, Math.round(p[1] * 100) / 100.0))
                .sorted(Comparator.<List<Double>>comparingDouble(p -> p.get(0)).thenComparingDouble(p -> p.get(1))).toList();
    }

    private static String[] concat(String[] a, String b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + 1);
        all[a.length] = b;
        return all;
    }
}
