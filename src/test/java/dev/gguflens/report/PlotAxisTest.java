package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The plot's axes: where values go, and ticks a reader takes in at a glance. */
class PlotAxisTest {
    private static final double KIB = 1024;
    private static final double MIB = 1024 * KIB;
    private static final double GIB = 1024 * MIB;

    private static List<String> labels(List<PlotAxis.Tick> ticks) {
        return ticks.stream().map(PlotAxis.Tick::label).filter(Objects::nonNull).toList();
    }

    @Test
    void aWideSizeRangeIsMarkedAtPowersOfTwoWithTheHalfwaySizesBetween() {
        // 300 KiB .. 6 MiB: powers of two from 512 KiB (2^19) to 4 MiB (2^22), and 1.5x each (384 KiB = 1.5 x 2^18 .. 6 MiB).
        List<PlotAxis.Tick> ticks = PlotAxis.sizeTicks(300 * KIB, 6 * MIB);
        assertEquals(List.of("384 KiB", "512 KiB", "768 KiB", "1 MiB", "1.5 MiB", "2 MiB", "3 MiB", "4 MiB", "6 MiB"), labels(ticks));
        assertEquals(List.of(512 * KIB, MIB, 2 * MIB, 4 * MIB),
                ticks.stream().filter(PlotAxis.Tick::major).map(PlotAxis.Tick::value).toList());
    }

    @Test
    void aVeryWideSizeRangeLabelsOnlyEveryOtherPowerOfTwo() {
        // 1 MiB .. 64 GiB: 2^20 .. 2^36, 17 powers: labelled every second one (2^20, 2^22, ...), the rest unlabelled.
        List<PlotAxis.Tick> ticks = PlotAxis.sizeTicks(MIB, 64 * GIB);
        assertEquals(List.of("1 MiB", "4 MiB", "16 MiB", "64 MiB", "256 MiB", "1 GiB", "4 GiB", "16 GiB", "64 GiB"), labels(ticks));
        assertEquals(17, ticks.size(), "every power of two has a tick");
    }

    @Test
    void aNarrowSizeRangeGetsRoundStepsInOneUnit() {
        // 0.85 .. 1.45 GiB: a fifth of the span is 0.12, the next round step (1, 2, 2.5, 5 x 10^k) is 0.2: 1.0, 1.2, 1.4 GiB.
        assertEquals(List.of("1 GiB", "1.2 GiB", "1.4 GiB"), labels(PlotAxis.sizeTicks(0.85 * GIB, 1.45 * GIB)));
        // 700 .. 760 MiB: a fifth is 12 MiB, so steps of 20 MiB.
        assertEquals(List.of("700 MiB", "720 MiB", "740 MiB", "760 MiB"),
                labels(PlotAxis.sizeTicks(700 * MIB, 760 * MIB)));
    }

    @Test
    void errorsAreLabelledAtOneTwoAndFiveOfEachDecadeInPercent() {
        List<PlotAxis.Tick> ticks = PlotAxis.errorTicks(0.0005, 0.5);
        assertEquals(List.of("0.05%", "0.1%", "0.2%", "0.5%", "1%", "2%", "5%", "10%", "20%", "50%"), labels(ticks));
        assertEquals(List.of("0.1%", "1%", "10%"), ticks.stream().filter(PlotAxis.Tick::major).map(PlotAxis.Tick::label).toList());
    }

    @Test
    void overManyDecadesOnlyTheDecadesAreLabelled() {
        List<PlotAxis.Tick> ticks = PlotAxis.errorTicks(1e-6, 0.5);
        assertEquals(List.of("0.0001%", "0.001%", "0.01%", "0.1%", "1%", "10%"), labels(ticks));
        // 1, 2, 5 of six decades (1e-6 .. 0.5): 18 ticks.
        assertEquals(18, ticks.size());
    }

    @Test
    void theErrorRangeWidensToLabelledValuesBeyondTheData() {
        // 0.39% .. 41%: with the margin, 0.348% and 45.9%: the nearest 1/2/5 values beyond are 0.2% and 50%.
        PlotAxis a = PlotAxis.errors(0.0039, 0.41, 500, 0);
        assertEquals(0.002, a.lo(), 1e-15);
        assertEquals(0.5, a.hi(), 1e-15);
        assertEquals("0.2%", a.ticks().getFirst().label());
        assertEquals("50%", a.ticks().getLast().label());
    }

    @Test
    void valuesMapToPixelsLogarithmically() {
        PlotAxis a = new PlotAxis(1, 100, 0, 200, List.of());
        assertEquals(0, a.pixel(1), 1e-9);
        assertEquals(100, a.pixel(10), 1e-9);
        assertEquals(200, a.pixel(100), 1e-9);
        PlotAxis up = new PlotAxis(0.001, 0.1, 500, 100, List.of());
        assertEquals(300, up.pixel(0.01), 1e-9, "an upward axis: larger values nearer the top");
    }

    @Test
    void sizeAxisLeavesRoomAroundThePoints() {
        PlotAxis a = PlotAxis.sizes(310_080, 5_785_408, 100, 1100);
        assertTrue(a.lo() < 310_080 && a.hi() > 5_785_408, a.toString());
        assertTrue(a.pixel(310_080) > 110 && a.pixel(5_785_408) < 1090, a.toString());
        // One point: still a range around it.
        PlotAxis one = PlotAxis.sizes(905_280, 905_280, 100, 1100);
        assertEquals(600, one.pixel(905_280), 1e-6, "a single point in the middle");
    }

    @Test
    void numbersAsPeopleReadThem() {
        assertEquals("0.05%", PlotAxis.percent(0.0005));
        assertEquals("100%", PlotAxis.percent(1));
        assertEquals("0.00002%", PlotAxis.percent(2e-7));
        assertEquals("24 GiB", PlotAxis.binary(24 * GIB, 2));
        assertEquals("476.84 MiB", PlotAxis.binary(500e6, 2)); // 500,000,000 / 1,048,576 = 476.837
        assertEquals("1023 B", PlotAxis.binary(1023, 0));
        assertEquals("1.5 GiB", PlotAxis.binary(1.5 * GIB, 1));
    }
}
