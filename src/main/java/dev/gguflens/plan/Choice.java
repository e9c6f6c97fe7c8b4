package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;

/** A type chosen for one tensor and the short human reason for it. */
record Choice(GgmlType type, String reason) {
}
