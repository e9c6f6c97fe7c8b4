package dev.gguflens.sim;

/**
 * What one chunk (or one tensor, added up) measured for one way of encoding it: {@code groups} holds the
 * sums of a full run (one group) or the sample's random groups; {@code inFull} the sums over every value of
 * a tensor measured in full during a sampled run (null otherwise).
 */
record ChunkSums(ErrorSums[] groups, ErrorSums inFull) {
    static ChunkSums empty(Sampling sampling, boolean inFull) {
        return new ChunkSums(newGroups(sampling == null ? 1 : Sampling.GROUPS), inFull ? new ErrorSums() : null);
    }

    void add(ChunkSums o) {
        addAll(groups, o.groups);
        if (inFull != null) {
            inFull.add(o.inFull);
        }
    }

    static ErrorSums[] newGroups(int n) {
        ErrorSums[] g = new ErrorSums[n];
        for (int i = 0; i < n; i++) {
            g[i] = new ErrorSums();
        }
        return g;
    }

    static void addAll(ErrorSums[] into, ErrorSums[] from) {
        for (int g = 0; g < into.length; g++) {
            into[g].add(from[g]);
        }
    }
}
