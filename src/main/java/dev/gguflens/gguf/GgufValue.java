package dev.gguflens.gguf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A metadata value as stored in a GGUF file; numbers keep their exact stored bits and width. */
public sealed interface GgufValue permits GgufValue.Int, GgufValue.Real, GgufValue.Bool, GgufValue.Str, GgufArray {

    /** The stored value type. */
    GgufValueType type();

    /**
     * An integer of any of the eight integer types. {@code bits} is sign-extended for signed types and
     * zero-extended for unsigned ones, so UINT64 values above {@code Long.MAX_VALUE} are negative here.
     */
    record Int(GgufValueType type, long bits) implements GgufValue {
        public Int {
            if (!type.isInteger()) {
                throw new IllegalArgumentException(type + " is not an integer type");
            }
        }

        public static Int u32(long v) {
            return new Int(GgufValueType.UINT32, v & 0xFFFF_FFFFL);
        }

        public static Int i32(int v) {
            return new Int(GgufValueType.INT32, v);
        }

        public static Int u64(long v) {
            return new Int(GgufValueType.UINT64, v);
        }

        /** Whether this is a UINT64 too large for a signed long. */
        public boolean exceedsLong() {
            return type == GgufValueType.UINT64 && bits < 0;
        }

        @Override
        public String toString() {
            return type == GgufValueType.UINT64 ? Long.toUnsignedString(bits) : Long.toString(bits);
        }
    }

    /** A FLOAT32 or FLOAT64; {@code bits} are the raw IEEE bits (FLOAT32 in the low 32). */
    record Real(GgufValueType type, long bits) implements GgufValue {
        public Real {
            if (type != GgufValueType.FLOAT32 && type != GgufValueType.FLOAT64) {
                throw new IllegalArgumentException(type + " is not a float type");
            }
        }

        public static Real f32(float v) {
            return new Real(GgufValueType.FLOAT32, Float.floatToRawIntBits(v) & 0xFFFF_FFFFL);
        }

        public static Real f64(double v) {
            return new Real(GgufValueType.FLOAT64, Double.doubleToRawLongBits(v));
        }

        public double value() {
            return type == GgufValueType.FLOAT32 ? Float.intBitsToFloat((int) bits) : Double.longBitsToDouble(bits);
        }

        @Override
        public String toString() {
            // FLOAT32 prints as a float so 1e-5f shows as 1.0E-5, not as its double expansion.
            return type == GgufValueType.FLOAT32 ? Float.toString(Float.intBitsToFloat((int) bits)) : Double.toString(value());
        }
    }

    /** A BOOL; {@code raw} is the stored byte (ggml reads any non-zero byte as true). */
    record Bool(byte raw) implements GgufValue {
        public static Bool of(boolean v) {
            return new Bool((byte) (v ? 1 : 0));
        }

        public boolean value() {
            return raw != 0;
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }

        @Override
        public String toString() {
            return Boolean.toString(value());
        }
    }

    /** A STRING as stored: raw bytes, which are meant to be UTF-8 but are not checked by ggml. */
    record Str(byte[] bytes) implements GgufValue {
        public static Str of(String s) {
            return new Str(s.getBytes(StandardCharsets.UTF_8));
        }

        /** The bytes decoded as UTF-8 (malformed sequences become U+FFFD). */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Str s && Arrays.equals(bytes, s.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return text();
        }
    }
}
