package dev.gguflens.report;

import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.report.LabelPlacer.Box;
import dev.gguflens.report.PlotScene.Anchor;
import dev.gguflens.report.PlotScene.Element;
import dev.gguflens.report.PlotScene.Group;
import dev.gguflens.report.PlotScene.Line;
import dev.gguflens.report.PlotScene.Marker;
import dev.gguflens.report.PlotScene.MarkerShape;
import dev.gguflens.report.PlotScene.Point;
import dev.gguflens.report.PlotScene.Polyline;
import dev.gguflens.report.PlotScene.Rect;
import dev.gguflens.report.PlotScene.Stroke;
import dev.gguflens.report.PlotScene.Tag;
import dev.gguflens.report.PlotScene.Text;
import dev.gguflens.sim.ErrorStats;
import dev.gguflens.sim.Interval;
import dev.gguflens.sim.Sampling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The size/error frontier of a {@code simulate --error} run as a picture: every measured (model, file type)
 * option as a point, relative RMSE (log scale) against file size (log scale), one series per model, each
 * point labelled with its file type, the options on the frontier (as {@link SimulateComparison} marks them)
 * filled and joined by a line, and the memory budget as a vertical line with the sizes beyond it shaded.
 * Options without error (a copy of the source's type) sit in a band below the log scale, marked 0.
 */
public final class FrontierPlot {
    static final int WIDTH = 1200;
    private static final double LEFT = 92;
    private static final double RIGHT = WIDTH - 28;
    private static final double PLOT_HEIGHT = 560;
    private static final double ZERO_GAP = 12;
    private static final double ZERO_BAND = 30;
    private static final double SYMBOL = 9;
    private static final double LABEL_SIZE = 11.5;
    private static final double TICK_SIZE = 12;

    private static final String TEXT = "#222222";
    private static final String MUTED = "#555555";
    private static final String GRID = "#e6e6e6";
    private static final String GRID_MAJOR = "#c8c8c8";
    private static final String FRAME = "#888888";
    private static final String FRONTIER = "#444444";
    private static final String BUDGET = "#b00020";

    /** Series colours: Okabe and Ito's palette, told apart also with colour-vision deficiencies; then darker text tones. */
    private static final String[] COLORS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933"};
    private static final String[] TEXT_COLORS = {"#005b8e", "#a84a00", "#007a59", "#a14f82", "#946700", "#2b7fb0", "#000000", "#6b6b22"};
    private static final MarkerShape[] SHAPES = MarkerShape.values();

    private FrontierPlot() {
    }

    /** One plotted option: its option, series, and place. */
    private record Dot(SimulateComparison.Option option, int series, Point at) {
    }

    /**
     * The picture of {@code c}: every measured option of every source, with the memory budget drawn when
     * {@code budgetBytes} is not null.
     */
    public static PlotScene scene(SimulateComparison c, Long budgetBytes) {
        return new FrontierPlot.Builder(c, budgetBytes).build();
    }

    /** Builds one scene; holds the layout as it is worked out from the top of the picture down. */
    private static final class Builder {
        private final SimulateComparison c;
        private final Long budget;
        private final List<Element> back = new ArrayList<>();
        private final List<Element> front = new ArrayList<>();
        private final List<String> names;
        private final boolean sampled;

        Builder(SimulateComparison c, Long budget) {
            this.c = c;
            this.budget = budget;
            this.names = seriesNames(c.reports());
            this.sampled = c.reports().getFirst().errors() != null && c.reports().getFirst().errors().sampling() != null;
        }

        PlotScene build() {
            List<SimulateComparison.Option> options = c.options();
            List<SimulateComparison.Option> plotted = options.stream().filter(FrontierPlot::plottable).toList();

            double y = 10;
            String title = title();
            for (String line : wrap(title, 19, true, RIGHT - LEFT)) {
                y += 24;
                front.add(Text.of(LEFT, y, line, 19, Anchor.START, TEXT).inBold());
            }
            y += 8;
            for (String line : wrap(subtitle(), 13, false, RIGHT - LEFT)) {
                y += 19;
                front.add(Text.of(LEFT, y, line, 13, Anchor.START, MUTED));
            }
            double top = y + 22;
            double bottom = top + PLOT_HEIGHT;
            boolean zeroBand = plotted.stream().anyMatch(o -> o.error() == 0);
            double bandTop = bottom + ZERO_GAP;
            double areaBottom = zeroBand ? bandTop + ZERO_BAND : bottom;

            back.add(new Rect(0, 0, WIDTH, 0, "#ffffff", 1, null, null)); // resized below, once the height is known
            if (plotted.isEmpty()) {
                front.add(Text.of((LEFT + RIGHT) / 2, (top + bottom) / 2, "No option could be measured: nothing to plot.", 15,
                        Anchor.MIDDLE, MUTED));
                frame(top, bottom, false, 0);
                return finish(title, legendAndNotes(options, areaBottom + 24, null));
            }

            PlotAxis xAxis = sizeAxis(plotted);
            PlotAxis yAxis = errorAxis(plotted, top, bottom);
            double zeroY = bandTop + ZERO_BAND / 2;

            frame(top, bottom, zeroBand, bandTop);
            Box budgetLabel = budget(xAxis, top, areaBottom);
            grid(xAxis, yAxis, top, bottom, zeroBand, bandTop, zeroY, areaBottom);

            List<Dot> dots = new ArrayList<>();
            for (SimulateComparison.Option o : plotted) {
                double py = o.error() == 0 ? zeroY : yAxis.pixel(o.error());
                dots.add(new Dot(o, c.reports().indexOf(o.source()), new Point(xAxis.pixel(o.bytes()), py)));
            }
            List<Point> frontier = dots.stream().filter(d -> d.option().frontier()).map(Dot::at).toList();
            front.add(new Polyline(frontier, new Stroke(FRONTIER, 2.2, 0.55, false), Tag.of("frontier")));
            series(dots, yAxis);

            LabelPlacer placer = new LabelPlacer(new Box(LEFT + 2, top + 2, RIGHT - LEFT - 4, areaBottom - top - 4));
            if (budgetLabel != null) {
                placer.avoid(budgetLabel);
            }
            dots.forEach(d -> placer.symbol(d.at(), SYMBOL / 2));
            for (int i = 1; i < frontier.size(); i++) {
                placer.line(frontier.get(i - 1), frontier.get(i));
            }
            labels(dots, placer);
            return finish(title, legendAndNotes(options, areaBottom + 74, xAxis));
        }

        private PlotScene finish(String title, double height) {
            int h = (int) Math.ceil(height);
            back.set(0, new Rect(0, 0, WIDTH, h, "#ffffff", 1, null, null));
            List<Element> all = new ArrayList<>(back);
            all.addAll(front);
            return new PlotScene(WIDTH, h, title, all);
        }

        /** The x axis over the plotted sizes, and over the budget when it is near them. */
        private PlotAxis sizeAxis(List<SimulateComparison.Option> plotted) {
            double min = plotted.stream().mapToLong(SimulateComparison.Option::bytes).min().orElseThrow();
            double max = plotted.stream().mapToLong(SimulateComparison.Option::bytes).max().orElseThrow();
            // A budget a little beyond the options widens the axis to show it; a far one would squeeze them.
            if (budget != null && budget >= min / 1.6 && budget <= max * 1.6) {
                min = Math.min(min, budget);
                max = Math.max(max, budget);
            }
            return PlotAxis.sizes(min, max, LEFT, RIGHT);
        }

        /** The y axis over the positive errors and, when sampled, their intervals' upper ends. */
        private PlotAxis errorAxis(List<SimulateComparison.Option> plotted, double top, double bottom) {
            double min = Double.POSITIVE_INFINITY, max = 0;
            for (SimulateComparison.Option o : plotted) {
                if (o.error() > 0) {
                    min = Math.min(min, o.error());
                    max = Math.max(max, o.error());
                    Interval i = interval(o);
                    if (i != null && Double.isFinite(i.high())) {
                        max = Math.max(max, i.high());
                    }
                }
            }
            if (max == 0) {
                min = 1e-3; // only lossless options: any decade will do
                max = 1e-2;
            }
            return PlotAxis.errors(min, max, bottom, top);
        }

        private void frame(double top, double bottom, boolean zeroBand, double bandTop) {
            back.add(new Rect(LEFT, top, RIGHT - LEFT, bottom - top, null, 1, Stroke.solid(FRAME, 1), null));
            if (zeroBand) {
                back.add(new Rect(LEFT, bandTop, RIGHT - LEFT, ZERO_BAND, "#f6f6f6", 1, Stroke.solid(FRAME, 1), Tag.of("zero-band")));
                // The break between the log scale and zero, on the axis.
                for (double dx : new double[] {-4, 2}) {
                    back.add(new Line(new Point(LEFT - 6 + dx, bottom + ZERO_GAP / 2 + 3), new Point(LEFT + 2 + dx, bottom + ZERO_GAP / 2 - 3),
                            Stroke.solid(FRAME, 1.2), null));
                }
            }
        }

        /** The budget line and the shade over the sizes beyond it; returns the box of its label, for the labels to avoid. */
        private Box budget(PlotAxis x, double top, double areaBottom) {
            if (budget == null) {
                return null;
            }
            String size = PlotAxis.binary(budget, 2);
            Map<String, String> data = Map.of("bytes", Long.toString(budget));
            double ty = top + 16;
            if (budget > x.hi()) {
                String t = "memory budget " + size + ": beyond the right edge, every option fits";
                front.add(Text.of(RIGHT - 6, ty, t, 12, Anchor.END, BUDGET).withHalo().tagged(new Tag("budget-note", data)));
                return new Box(RIGHT - 6 - TextWidth.of(t, 12, false), ty - 12, TextWidth.of(t, 12, false), 16);
            }
            double bx = budget < x.lo() ? LEFT : x.pixel(budget);
            back.add(new Rect(bx, top, RIGHT - bx, areaBottom - top, "#b0b0b0", 0.22, null, Tag.of("over-budget")));
            if (budget < x.lo()) {
                String t = "memory budget " + size + ": beyond the left edge, no option fits";
                front.add(Text.of(LEFT + 6, ty, t, 12, Anchor.START, BUDGET).withHalo().tagged(new Tag("budget-note", data)));
                return new Box(LEFT + 6, ty - 12, TextWidth.of(t, 12, false), 16);
            }
            front.add(new Line(new Point(bx, top), new Point(bx, areaBottom), new Stroke(BUDGET, 1.6, 1, true), new Tag("budget", data)));
            String t = "memory budget " + size;
            double w = TextWidth.of(t, 12, true);
            boolean right = bx + 6 + w <= RIGHT - 4;
            double tx = right ? bx + 6 : bx - 6;
            front.add(new Text(new Point(tx, ty), t, 12, right ? Anchor.START : Anchor.END, true, BUDGET, 0, true, null));
            return new Box(right ? tx : tx - w, ty - 12, w, 16);
        }

        private void grid(PlotAxis x, PlotAxis y, double top, double bottom, boolean zeroBand, double bandTop, double zeroY,
                          double areaBottom) {
            // Labels in order of importance (main ticks first), each kept only if it does not touch one already kept.
            List<Box> kept = new ArrayList<>();
            List<PlotAxis.Tick> xTicks = x.ticks().stream().sorted(Comparator.comparing(t -> !t.major())).toList();
            for (PlotAxis.Tick t : xTicks) {
                double px = x.pixel(t.value());
                back.add(new Line(new Point(px, top), new Point(px, areaBottom), Stroke.solid(t.major() ? GRID_MAJOR : GRID, 1), null));
                back.add(new Line(new Point(px, areaBottom), new Point(px, areaBottom + 5), Stroke.solid(FRAME, 1), null));
                if (t.label() != null) {
                    double w = TextWidth.of(t.label(), TICK_SIZE, false);
                    Box b = new Box(px - w / 2 - 6, areaBottom + 8, w + 12, 16);
                    if (b.x() >= 4 && b.right() <= WIDTH - 4 && kept.stream().noneMatch(k -> k.overlap(b) > 0)) {
                        kept.add(b);
                        front.add(Text.of(px, areaBottom + 20, t.label(), TICK_SIZE, Anchor.MIDDLE, t.major() ? TEXT : MUTED)
                                .tagged(new Tag("x-tick", Map.of("value", Double.toString(t.value())))));
                    }
                }
            }
            kept.clear();
            List<PlotAxis.Tick> yTicks = y.ticks().stream().sorted(Comparator.comparing(t -> !t.major())).toList();
            for (PlotAxis.Tick t : yTicks) {
                double py = y.pixel(t.value());
                back.add(new Line(new Point(LEFT, py), new Point(RIGHT, py), Stroke.solid(t.major() ? GRID_MAJOR : GRID, 1), null));
                back.add(new Line(new Point(LEFT - 5, py), new Point(LEFT, py), Stroke.solid(FRAME, 1), null));
                if (t.label() != null) {
                    Box b = new Box(0, py - 9, LEFT, 18);
                    if (kept.stream().noneMatch(k -> k.overlap(b) > 0)) {
                        kept.add(b);
                        front.add(Text.of(LEFT - 8, py + 4, t.label(), TICK_SIZE, Anchor.END, t.major() ? TEXT : MUTED)
                                .tagged(new Tag("y-tick", Map.of("value", Double.toString(t.value())))));
                    }
                }
            }
            if (zeroBand) {
                front.add(Text.of(LEFT - 8, zeroY + 4, "0", TICK_SIZE, Anchor.END, TEXT).tagged(new Tag("y-tick", Map.of("value", "0"))));
                front.add(Text.of(LEFT + 8, zeroY + 4, "no error (kept as in the source)", 11, Anchor.START, "#999999"));
            }
            front.add(Text.of((LEFT + RIGHT) / 2, areaBottom + 42, "file size (log scale)", 13, Anchor.MIDDLE, TEXT));
            front.add(Text.of(24, (top + bottom) / 2, "relative RMSE of the weights (log scale)", 13, Anchor.MIDDLE, TEXT).rotated(-90));
        }

        /** Each model's points (and, when sampled, their 95% intervals) as one group. */
        private void series(List<Dot> dots, PlotAxis y) {
            for (int s = 0; s < c.reports().size(); s++) {
                List<Element> children = new ArrayList<>();
                String color = COLORS[s % COLORS.length];
                for (Dot d : dots) {
                    if (d.series() != s) {
                        continue;
                    }
                    Interval i = interval(d.option());
                    if (i != null && d.option().error() > 0 && Double.isFinite(i.low()) && Double.isFinite(i.high())) {
                        double lo = i.low() > y.lo() ? y.pixel(i.low()) : y.from();
                        double hi = y.pixel(Math.min(i.high(), y.hi()));
                        Stroke bar = Stroke.solid(color, 1.2);
                        children.add(new Line(new Point(d.at().x(), lo), new Point(d.at().x(), hi), bar, Tag.of("interval")));
                        children.add(new Line(new Point(d.at().x() - 3, hi), new Point(d.at().x() + 3, hi), bar, null));
                        if (i.low() > y.lo()) {
                            children.add(new Line(new Point(d.at().x() - 3, lo), new Point(d.at().x() + 3, lo), bar, null));
                        }
                    }
                }
                // Points off the frontier first, so a frontier point drawn on the same spot stays visible.
                int series = s;
                List<Dot> mine = dots.stream().filter(d -> d.series() == series)
                        .sorted(Comparator.comparing(d -> d.option().frontier())).toList();
                for (Dot d : mine) {
                    SimulateComparison.Option o = d.option();
                    Map<String, String> data = new LinkedHashMap<>();
                    data.put("ftype", o.result().ftype().shortName());
                    data.put("bytes", Long.toString(o.bytes()));
                    data.put("relative-rmse", Double.toString(o.error()));
                    data.put("frontier", Boolean.toString(o.frontier()));
                    children.add(new Marker(d.at(), shape(s), SYMBOL, color, o.frontier(), new Tag("dot", data)));
                }
                Map<String, String> data = new LinkedHashMap<>();
                data.put("model", names.get(s));
                data.put("file", Integer.toString(s));
                front.add(new Group(new Tag("series", data), children));
            }
        }

        /**
         * One label per spot: options drawn on the same spot (a tie, or the same file twice) share one, naming each
         * file type once. The frontier's labels are placed first, smallest first, then the others.
         */
        private void labels(List<Dot> dots, LabelPlacer placer) {
            Map<String, List<Dot>> spots = new LinkedHashMap<>();
            for (Dot d : dots) {
                String key = Math.round(d.at().x()) + "," + Math.round(d.at().y());
                spots.computeIfAbsent(key, k -> new ArrayList<>()).add(d);
            }
            List<List<Dot>> order = new ArrayList<>(spots.values());
            order.sort(Comparator.comparing((List<Dot> l) -> l.stream().noneMatch(d -> d.option().frontier()))
                    .thenComparingDouble(l -> l.getFirst().at().x()));
            for (List<Dot> spot : order) {
                Set<String> ftypes = new LinkedHashSet<>();
                spot.forEach(d -> ftypes.add(d.option().result().ftype().shortName()));
                String text = String.join(", ", ftypes);
                boolean frontier = spot.stream().anyMatch(d -> d.option().frontier());
                Set<Integer> series = spot.stream().map(Dot::series).collect(Collectors.toSet());
                String color = series.size() == 1 ? TEXT_COLORS[series.iterator().next() % TEXT_COLORS.length] : TEXT;
                double w = TextWidth.of(text, LABEL_SIZE, frontier) + 2;
                double h = LABEL_SIZE * (TextWidth.ASCENT + TextWidth.DESCENT);
                Point at = spot.getFirst().at();
                LabelPlacer.Placement p = placer.place(at, SYMBOL / 2, w, h);
                if (p.leader()) {
                    Point near = p.box().nearest(at);
                    double dx = near.x() - at.x(), dy = near.y() - at.y();
                    double len = Math.hypot(dx, dy);
                    Point from = new Point(at.x() + dx / len * (SYMBOL / 2 + 1), at.y() + dy / len * (SYMBOL / 2 + 1));
                    back.add(new Line(from, near, Stroke.solid("#999999", 0.8), null));
                }
                Text label = new Text(new Point(p.box().x() + 1, p.box().y() + LABEL_SIZE * TextWidth.ASCENT), text, LABEL_SIZE,
                        Anchor.START, frontier, color, 0, true, new Tag("label", Map.of("ftype", text)));
                front.add(label);
            }
        }

        /** The legend under the plot, then the note on what is not shown; returns the picture's height. */
        private double legendAndNotes(List<SimulateComparison.Option> options, double y, PlotAxis x) {
            List<LegendEntry> entries = new ArrayList<>();
            for (int s = 0; s < c.reports().size(); s++) {
                entries.add(new LegendEntry(s, null, names.get(s) + parameters(c.reports().get(s))));
            }
            double lineH = 22;
            double row = y;
            row = flow(entries, row, lineH);
            List<LegendEntry> keys = new ArrayList<>();
            keys.add(new LegendEntry(-1, "frontier", "filled and joined: the frontier, options no other option beats on both size and error"));
            keys.add(new LegendEntry(-1, "dominated", "open: another option is at least as small and as accurate"));
            if (sampled) {
                keys.add(new LegendEntry(-1, "interval", "bars: 95% confidence interval of the sampled estimate"));
            }
            if (budget != null && x != null) {
                keys.add(new LegendEntry(-1, "budget", "shaded: larger than the memory budget (file size only; the KV cache and"
                        + " buffers need more)"));
            }
            row = flow(keys, row + lineH, lineH);
            List<String> notes = notShown(options);
            row += 6;
            for (String note : notes) {
                for (String line : wrap(note, 12, false, RIGHT - LEFT)) {
                    row += 18;
                    front.add(Text.of(LEFT, row, line, 12, Anchor.START, MUTED));
                }
            }
            return row + 16;
        }

        /** A legend item: a series' symbol ({@code series >= 0}) or a key ({@code kind}), and its text. */
        private record LegendEntry(int series, String kind, String text) {
        }

        /** Lays out entries left to right, wrapping to new rows; returns the last row's baseline. */
        private double flow(List<LegendEntry> entries, double y, double lineH) {
            double x = LEFT;
            double baseline = y;
            boolean first = true;
            for (LegendEntry e : entries) {
                double w = 30 + TextWidth.of(e.text(), 12.5, false) + 24;
                if (!first && x + w > RIGHT) {
                    x = LEFT;
                    baseline += lineH;
                }
                first = false;
                double cy = baseline - 4.5;
                List<Element> sym = new ArrayList<>();
                if (e.series() >= 0) {
                    String color = COLORS[e.series() % COLORS.length];
                    sym.add(new Marker(new Point(x + 12, cy), shape(e.series()), SYMBOL + 1, color, true, null));
                } else {
                    switch (e.kind()) {
                        case "frontier" -> {
                            sym.add(new Line(new Point(x, cy), new Point(x + 24, cy), new Stroke(FRONTIER, 2.2, 0.55, false), null));
                            sym.add(new Marker(new Point(x + 12, cy), MarkerShape.CIRCLE, SYMBOL, FRONTIER, true, null));
                        }
                        case "dominated" -> sym.add(new Marker(new Point(x + 12, cy), MarkerShape.CIRCLE, SYMBOL, FRONTIER, false, null));
                        case "interval" -> {
                            sym.add(new Line(new Point(x + 12, cy - 7), new Point(x + 12, cy + 7), Stroke.solid(FRONTIER, 1.2), null));
                            sym.add(new Line(new Point(x + 9, cy - 7), new Point(x + 15, cy - 7), Stroke.solid(FRONTIER, 1.2), null));
                            sym.add(new Line(new Point(x + 9, cy + 7), new Point(x + 15, cy + 7), Stroke.solid(FRONTIER, 1.2), null));
                        }
                        default -> {
                            sym.add(new Rect(x + 12, cy - 8, 12, 16, "#b0b0b0", 0.35, null, null));
                            sym.add(new Line(new Point(x + 12, cy - 8), new Point(x + 12, cy + 8), new Stroke(BUDGET, 1.6, 1, true), null));
                        }
                    }
                }
                sym.add(Text.of(x + 30, baseline, e.text(), 12.5, Anchor.START, TEXT));
                front.add(new Group(new Tag("legend", e.series() >= 0 ? Map.of("file", Integer.toString(e.series())) : Map.of("key", e.kind())),
                        sym));
                x += w;
            }
            return baseline;
        }

        /**
         * Why some options have no point (refused runs, runs that could not be measured, estimates a sample could not
         * make), grouped by reason and by the models they concern: {@code IQ1_S, IQ1_M (need an importance matrix);
         * Q1_0 of b.gguf (refused by llama-quantize)}.
         */
        private List<String> notShown(List<SimulateComparison.Option> options) {
            record Miss(String reason, String ftype) {
            }
            record Group(String reason, Set<Integer> models) {
            }
            Map<Miss, Set<Integer>> missing = new LinkedHashMap<>();
            for (SimulateComparison.Option o : options) {
                if (!plottable(o)) {
                    missing.computeIfAbsent(new Miss(reason(o), o.result().ftype().shortName()), k -> new java.util.TreeSet<>())
                            .add(c.reports().indexOf(o.source()));
                }
            }
            Map<Group, List<String>> groups = new LinkedHashMap<>();
            missing.forEach((m, models) -> groups.computeIfAbsent(new Group(m.reason(), models), g -> new ArrayList<>()).add(m.ftype()));
            if (groups.isEmpty()) {
                return List.of();
            }
            List<String> parts = new ArrayList<>();
            groups.forEach((g, ftypes) -> {
                String of = g.models().size() == c.reports().size() ? ""
                        : " of " + g.models().stream().map(names::get).collect(Collectors.joining(" and "));
                parts.add(String.join(", ", ftypes) + of + " (" + g.reason() + ")");
            });
            return List.of("Not shown: " + String.join("; ", parts) + ".");
        }

        private static String reason(SimulateComparison.Option o) {
            SimulateResult r = o.result();
            if (!r.ok()) {
                return r.imatrixRequired() ? "need an importance matrix" : "refused by llama-quantize";
            }
            if (r.errorFailure() != null) {
                return "could not be measured";
            }
            if (r.error() == null || Double.isNaN(o.error())) {
                return "the sample holds none of their values";
            }
            return "infinite error: a tensor of zeros changed";
        }

        private String title() {
            // Smallest first, as the table lists them (each report's results are in that order).
            Set<LlamaFileType> asked = new LinkedHashSet<>();
            c.reports().forEach(r -> r.results().forEach(s -> asked.add(s.ftype())));
            String which;
            if (asked.containsAll(LlamaFileType.current()) && asked.size() > 1) {
                which = "every file type";
            } else if (asked.size() <= 10) {
                which = asked.stream().map(LlamaFileType::shortName).collect(Collectors.joining(", "));
            } else {
                which = asked.size() + " file types";
            }
            String models = c.reports().size() == 1 ? names.getFirst() : c.reports().size() + " models";
            return "Quantization error against file size: " + models + ", " + which;
        }

        private String subtitle() {
            SimulateReport first = c.reports().getFirst();
            Sampling s = sampled ? first.errors().sampling() : null;
            String measured = s == null ? "Relative RMSE over every weight"
                    : "Relative RMSE estimated from a " + ErrorText.fraction(s.fraction()) + " sample of blocks (seed " + s.seed() + ")";
            String opts = first.options().isEmpty() ? "llama-quantize's default options"
                    : "options " + SafeText.escapeControls(String.join(" ", first.options()));
            String against = c.reports().stream().anyMatch(r -> !r.quantizedSourceTypes().isEmpty())
                    ? "; a quantized source's errors are against its decoded values" : "";
            return measured + " · " + opts + against + ".";
        }
    }

    /** Whether an option has a point: measured, with a finite error. */
    static boolean plottable(SimulateComparison.Option o) {
        return o.measured() && Double.isFinite(o.error());
    }

    private static Interval interval(SimulateComparison.Option o) {
        ErrorStats e = o.result().error().model();
        return e.intervals() == null ? null : e.intervals().relativeRmse();
    }

    private static MarkerShape shape(int series) {
        return SHAPES[(series + series / COLORS.length) % SHAPES.length];
    }

    /**
     * The series' names: each file's name, or the path as given where two files share a name, made safe to show
     * (control characters escaped) and cut in the middle when very long.
     */
    static List<String> seriesNames(List<SimulateReport> reports) {
        List<String> simple = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (SimulateReport r : reports) {
            Path p = r.file().path();
            String n = p == null ? "?" : p.getFileName() == null ? p.toString() : p.getFileName().toString();
            simple.add(n);
            counts.merge(n, 1, Integer::sum);
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            Path p = reports.get(i).file().path();
            String n = counts.get(simple.get(i)) > 1 && p != null ? p.toString() : simple.get(i);
            names.add(middleCut(SafeText.escapeControls(n), 70));
        }
        return names;
    }

    private static String parameters(SimulateReport r) {
        return r.summary().parameters() == null ? "" : " (" + Units.parameters(r.summary().parameters()) + " parameters)";
    }

    private static String middleCut(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        int[] cps = s.codePoints().toArray();
        int head = (max - 1) / 2;
        int tail = max - 1 - head;
        return new String(cps, 0, head) + "…" + new String(cps, cps.length - tail, tail);
    }

    /** {@code text} in lines no wider than {@code width} pixels at {@code size}, broken at spaces. */
    static List<String> wrap(String text, double size, boolean bold, double width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (!line.isEmpty() && TextWidth.of(candidate, size, bold) > width) {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            } else {
                line.setLength(0);
                line.append(candidate);
            }
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
