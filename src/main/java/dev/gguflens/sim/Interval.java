package dev.gguflens.sim;

/** A 95% confidence interval {@code [low, high]} around an estimate made from a sample of blocks. */
public record Interval(double low, double high) {
}
