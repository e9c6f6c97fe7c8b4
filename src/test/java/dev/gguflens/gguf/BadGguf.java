package dev.gguflens.gguf;

import static dev.gguflens.gguf.GgufBytes.ARRAY;
import static dev.gguflens.gguf.GgufBytes.F32;
import static dev.gguflens.gguf.GgufBytes.F64;
import static dev.gguflens.gguf.GgufBytes.INT32;
import static dev.gguflens.gguf.GgufBytes.Q4_0;
import static dev.gguflens.gguf.GgufBytes.STRING;
import static dev.gguflens.gguf.GgufBytes.UINT32;
import static dev.gguflens.gguf.GgufBytes.UINT8;

import java.util.ArrayList;
import java.util.List;

/**
 * Crafted invalid GGUF files, each built byte by byte, with the fragment its error message must contain
 * and the byte offset it must report. Shared by the reader's tests and the command-line tests.
 *
 * <p>Offsets are worked out by hand in the comments from the field widths of reference/gguf-format.md:
 * the v3 header is 24 bytes (magic 4, version 4, tensor count 8, KV count 8); a string is an 8-byte
 * length and its bytes; a type tag is 4 bytes. So for a first key "a": its length is at 24, the key byte
 * at 32, the type tag at 33, the value at 37. For a first tensor "t": name length at 24, n_dims at 33,
 * ne[0] at 37, ne[1] at 45; with one dimension its type is at 45 and its data offset at 49 (record end
 * 57), with two dimensions type at 53 and data offset at 57.
 */
public final class BadGguf {
    private BadGguf() {
    }

    /**
     * One crafted file.
     *
     * @param name     what is wrong, as a test name
     * @param bytes    the whole file
     * @param fragment a piece of the expected message (names the key or tensor where there is one)
     * @param offset   the byte offset the error must report
     */
    public record Case(String name, byte[] bytes, String fragment, long offset) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final long[] ONE_F32_ROW = {8}; // 8 x F32 = 32 bytes

    /** Every crafted bad file. */
    public static List<Case> all() {
        List<Case> c = new ArrayList<>();

        // ---- the fixed header ----
        c.add(new Case("empty file", new byte[0], "too short for the 4-byte magic", 0));
        c.add(new Case("three bytes", new byte[] {'G', 'G', 'U'}, "too short for the 4-byte magic", 0));
        c.add(new Case("bad magic", GgufBytes.create().raw((byte) 'G', (byte) 'G', (byte) 'U', (byte) 'X').u32(3).u64(0).u64(0).toBytes(),
                "the magic is 'GGUX' (47 47 55 58)", 0));
        c.add(new Case("magic with control bytes", GgufBytes.create().raw((byte) 0x1b, (byte) '[', (byte) '2', (byte) 'J').u32(3).toBytes(),
                "the magic is '\\x1b[2J'", 0));
        c.add(new Case("version 0", GgufBytes.create().magic().u32(0).u64(0).u64(0).toBytes(), "unsupported GGUF version 0;", 4));
        c.add(new Case("version 4", GgufBytes.create().magic().u32(4).u64(0).u64(0).toBytes(), "unsupported GGUF version 4;", 4));
        c.add(new Case("huge version", GgufBytes.create().magic().u32(0x7FFF_FFFFL).u64(0).u64(0).toBytes(),
                "unsupported GGUF version 2147483647;", 4));
        c.add(new Case("version 0xFFFFFFFF", GgufBytes.create().magic().u32(0xFFFF_FFFFL).u64(0).u64(0).toBytes(),
                "unsupported GGUF version 4294967295;", 4));
        // Stored bytes 00 00 00 04: big-endian version 4 (0x04000000 read little-endian).
        c.add(new Case("big-endian version 4", GgufBytes.create().magic().raw((byte) 0, (byte) 0, (byte) 0, (byte) 4).toBytes(),
                "unsupported GGUF version 67108864 (4 if read big-endian)", 4));
        c.add(new Case("truncated tensor count", GgufBytes.create().magic().u32(3).u32(0).toBytes(),
                "truncated file: the tensor count needs 8 bytes but the file ends at byte 12", 8));
        c.add(new Case("absurd tensor count", GgufBytes.v3(1L << 40, 0).toBytes(), "tensor count 1099511627776 cannot fit in the file: tensor infos need at least 24 bytes each", 8));
        c.add(new Case("absurd metadata count", GgufBytes.v3(0, 1L << 40).toBytes(), "metadata count 1099511627776 cannot fit in the file: key/value records need at least 14 bytes each", 16));
        c.add(new Case("negative tensor count", GgufBytes.v3(-1, 0).toBytes(), "tensor count 18446744073709551615 is impossible (2^63 or more)", 8));
        c.add(new Case("negative metadata count", GgufBytes.v3(0, Long.MIN_VALUE).toBytes(), "metadata count 9223372036854775808 is impossible (2^63 or more)", 16));
        // v1: magic 4, version 4, tensor count u32 at 8, KV count u32 at 12.
        c.add(new Case("v1 absurd metadata count", GgufBytes.v1().magic().u32(1).u32(0).u32(0x8000_0000L).toBytes(),
                "metadata count 2147483648 cannot fit in the file: key/value records need at least 10 bytes each", 12));
        // A count the file's size allows (2 x 14 bytes <= 28) whose second record runs out: its key length at 41.
        c.add(new Case("metadata count beyond the records", GgufBytes.v3(0, 2).kvU32("a", 1).u64(100).zeros(3).toBytes(),
                "metadata entry 1: the key has length 100 but only 3 bytes are left", 41));

        // ---- keys and values (first key at 24) ----
        c.add(new Case("empty key", GgufBytes.v3(0, 1).str("").u32(UINT32).u32(7).toBytes(), "metadata entry 0 has an empty key", 24));
        c.add(new Case("key length past the end", GgufBytes.v3(0, 1).u64(100).zeros(6).toBytes(),
                "metadata entry 0: the key has length 100 but only 6 bytes are left in the file", 24));
        c.add(new Case("key length over 1 GiB", GgufBytes.v3(0, 1).u64((1L << 30) + 1).zeros(16).toBytes(),
                "metadata entry 0: the key has length 1073741825, over ggml's limit of 1073741824", 24));
        // "a" u32 is 8 + 1 + 4 + 4 = 17 bytes: 24..41; the second "a" starts at 41.
        c.add(new Case("duplicate key", GgufBytes.v3(0, 2).kvU32("a", 1).kvU32("a", 2).toBytes(),
                "duplicate key 'a': metadata entries 0 and 1", 41));
        c.add(new Case("key with a newline and an escape", GgufBytes.v3(0, 2).kvU32("x\n\u001b[31m", 1).kvU32("x\n\u001b[31m", 2).toBytes(),
                "duplicate key 'x\\x0a\\x1b[31m'", 24 + 8 + 7 + 4 + 4));
        // A long key is cut in the message after 64 characters: the first record is 8 + 200 + 4 + 4 = 216 bytes.
        c.add(new Case("duplicate long key", GgufBytes.v3(0, 2).kvU32("k".repeat(200), 1).kvU32("k".repeat(200), 2).toBytes(),
                "duplicate key '" + "k".repeat(64) + "'... (200 bytes): metadata entries 0 and 1", 24 + 216));
        c.add(new Case("invalid value type 13", GgufBytes.v3(0, 1).str("a").u32(13).u32(0).toBytes(),
                "key 'a': value type 13 is invalid", 33));
        c.add(new Case("negative value type", GgufBytes.v3(0, 1).str("a").u32(-1).u32(0).toBytes(),
                "key 'a': value type -1 is invalid", 33));
        c.add(new Case("string value past the end", GgufBytes.v3(0, 1).str("a").u32(STRING).u64(1000).raw((byte) 'x', (byte) 'y', (byte) 'z').toBytes(),
                "key 'a': the string value has length 1000 but only 3 bytes are left in the file", 37));
        c.add(new Case("string value over 1 GiB", GgufBytes.v3(0, 1).str("a").u32(STRING).u64(-1).toBytes(),
                "key 'a': the string value has length 18446744073709551615, over ggml's limit", 37));
        c.add(new Case("truncated scalar value", GgufBytes.v3(0, 1).str("a").u32(UINT32).u16(0).toBytes(),
                "truncated file: key 'a': the UINT32 value needs 4 bytes but the file ends at byte 39", 37));
        // Array: tag 9 at 33, element type at 37, count at 41, elements from 49.
        c.add(new Case("array of invalid element type", GgufBytes.v3(0, 1).str("a").u32(ARRAY).u32(13).u64(0).toBytes(),
                "key 'a': array element type 13 is invalid", 37));
        c.add(new Case("array count over 2^30", GgufBytes.v3(0, 1).str("a").u32(ARRAY).u32(UINT8).u64(1L << 31).toBytes(),
                "key 'a': array count 2147483648 is over ggml's limit of 1073741824", 41));
        c.add(new Case("array elements past the end", GgufBytes.v3(0, 1).str("a").u32(ARRAY).u32(UINT32).u64(1000).zeros(3).toBytes(),
                "key 'a': 1000 UINT32 elements need 4000 bytes but only 3 are left", 41));
        c.add(new Case("string array past the end", GgufBytes.v3(0, 1).str("a").u32(ARRAY).u32(STRING).u64(1000).zeros(3).toBytes(),
                "key 'a': 1000 STRING elements need at least 8000 bytes but only 3 are left", 41));
        // Strings of the array: "x" at 49..58, the second length at 58.
        c.add(new Case("string array element past the end", GgufBytes.v3(0, 1).str("a").u32(ARRAY).u32(STRING).u64(2).str("x").u64(100).zeros(8).toBytes(),
                "key 'a'[1]: the string has length 100 but only 8 bytes are left", 58));
        c.add(new Case("arrays nested too deep", nested(9), "key 'a'[0][0][0][0][0][0][0][0]: arrays nested deeper than 8 levels",
                37 + 8 * 12));
        // Nested array element 0 ([u8 x 0]: 12 bytes at 49..61) is fine; element 1's element type at 61 is not.
        c.add(new Case("nested array of invalid element type", GgufBytes.v3(0, 1).str("a").u32(ARRAY).u32(ARRAY).u64(2)
                .u32(UINT8).u64(0).u32(42).u64(0).toBytes(), "key 'a'[1]: array element type 42 is invalid", 61));

        // ---- general.alignment (record at 24) ----
        c.add(new Case("alignment of type INT32", GgufBytes.v3(0, 1).str("general.alignment").u32(INT32).u32(32).toBytes(),
                "key 'general.alignment' must be of type UINT32 but is INT32", 24));
        c.add(new Case("alignment array", GgufBytes.v3(0, 1).str("general.alignment").u32(ARRAY).u32(UINT32).u64(1).u32(32).toBytes(),
                "key 'general.alignment' must be of type UINT32 but is an ARRAY of UINT32", 24));
        c.add(new Case("alignment 0", GgufBytes.v3(0, 1).kvU32("general.alignment", 0).toBytes(),
                "key 'general.alignment' is 0, not a power of two", 24));
        c.add(new Case("alignment 48", GgufBytes.v3(0, 1).kvU32("general.alignment", 48).toBytes(),
                "key 'general.alignment' is 48, not a power of two", 24));

        // ---- tensor infos (first tensor at 24, no metadata) ----
        c.add(new Case("five dimensions", GgufBytes.v3(1, 0).tensor("t", new long[] {1, 1, 1, 1, 1}, F32, 0).toBytes(),
                "tensor 't' has 5 dimensions, at most 4 are allowed", 33));
        c.add(new Case("huge dimension count", GgufBytes.v3(1, 0).str("t").u32(0xFFFF_FFFFL).zeros(40).toBytes(),
                "tensor 't' has 4294967295 dimensions, at most 4 are allowed", 33));
        c.add(new Case("negative dimension", GgufBytes.v3(1, 0).tensor("t", new long[] {4, -8}, F32, 0).toBytes(),
                "tensor 't': dimension 1 is negative (-8)", 45));
        c.add(new Case("element count overflow", GgufBytes.v3(1, 0).tensor("t", new long[] {1L << 32, 1L << 32}, F32, 0).toBytes(),
                "tensor 't': the element count of dimensions [4294967296, 4294967296] overflows 64 bits", 45));
        // 2^62 elements fit a long, but 2^62 F64 elements are 2^65 bytes.
        c.add(new Case("byte size overflow", GgufBytes.v3(1, 0).tensor("t", new long[] {1L << 62}, F64, 0).toBytes(),
                "tensor 't' of type F64: 4611686018427387904 elements need over 2^63 bytes", 45));
        c.add(new Case("byte size overflow over rows", GgufBytes.v3(1, 0).tensor("t", new long[] {1L << 31, 1L << 31}, F32, 0).toBytes(),
                "tensor 't' of type F32: 4611686018427387904 elements need over 2^63 bytes", 53));
        c.add(new Case("row not a multiple of the block size", GgufBytes.v3(1, 0).tensor("t", new long[] {16, 2}, Q4_0, 0).toBytes(),
                "tensor 't' of type Q4_0: row length 16 is not a multiple of the block size 32", 53));
        // Each one-dimensional tensor record is 33 bytes: the first at 24..57, the second at 57.
        c.add(new Case("duplicate tensor name", GgufBytes.v3(2, 0).tensor("t", ONE_F32_ROW, F32, 0).tensor("t", ONE_F32_ROW, F32, 32)
                .padTo(32).zeros(64).toBytes(), "duplicate tensor name 't': tensors 0 and 1", 57));
        c.add(new Case("tensor name past the end", GgufBytes.v3(1, 0).u64(64).zeros(16).toBytes(),
                "tensor 0: the name has length 64 but only 16 bytes are left", 24));
        c.add(new Case("truncated dimension", GgufBytes.v3(1, 0).str("t").u32(2).u64(8).u32(1).toBytes(),
                "truncated file: tensor 't': dimension 1 needs 8 bytes but the file ends at byte 49", 45));
        c.add(new Case("negative data offset", GgufBytes.v3(1, 0).tensor("t", ONE_F32_ROW, F32, -32).padTo(32).zeros(32).toBytes(),
                "tensor 't': data offset 18446744073709551584 is past the end of any file", 49));

        // ---- the data section: header ends at 57, data starts at 64 ----
        c.add(new Case("data section past the end", GgufBytes.v3(1, 0).tensor("t", ONE_F32_ROW, F32, 0).zeros(3).toBytes(),
                "truncated file: the data section would start at byte 64 (the header end 57 padded to 32) but the file has 60 bytes", 57));
        c.add(new Case("tensor data past the end", GgufBytes.v3(1, 0).tensor("t", ONE_F32_ROW, F32, 0).padTo(32).zeros(31).toBytes(),
                "tensor 't': its 32 bytes of data at offset 0 of the data section (file bytes 64 to 96) lie outside the file (95 bytes)", 49));
        c.add(new Case("tensor data far outside", GgufBytes.v3(1, 0).tensor("t", ONE_F32_ROW, F32, 1L << 62).padTo(32).zeros(32).toBytes(),
                "tensor 't': its 32 bytes of data at offset 4611686018427387904 of the data section", 49));
        // Offset 2^63 - 64 plus data start 64 wraps a signed long; the message must still show the true bytes.
        c.add(new Case("tensor data offset that wraps", GgufBytes.v3(1, 0).tensor("t", ONE_F32_ROW, F32, Long.MAX_VALUE - 63).padTo(32).zeros(32).toBytes(),
                "(file bytes 9223372036854775808 to 9223372036854775840)", 49));
        // Two tensors of 32 bytes: "a" at 0 (record 24..57, offset field 49), "b" at 16 (record 57..90, offset field 82).
        c.add(new Case("overlapping tensors", GgufBytes.v3(2, 0).tensor("a", ONE_F32_ROW, F32, 0).tensor("b", ONE_F32_ROW, F32, 16)
                .padTo(32).zeros(64).toBytes(), "tensor 'b' overlaps tensor 'a': its data starts at offset 16 of the data section, inside 'a' (offsets 0 to 32)", 82));
        c.add(new Case("overlapping tensors in reverse order", GgufBytes.v3(2, 0).tensor("a", ONE_F32_ROW, F32, 16).tensor("b", ONE_F32_ROW, F32, 0)
                .padTo(32).zeros(64).toBytes(), "tensor 'a' overlaps tensor 'b'", 49));
        c.add(new Case("two tensors at one offset", GgufBytes.v3(2, 0).tensor("a", ONE_F32_ROW, F32, 0).tensor("b", ONE_F32_ROW, F32, 0)
                .padTo(32).zeros(64).toBytes(), "tensor 'b' overlaps tensor 'a': its data starts at offset 0", 82));
        return List.copyOf(c);
    }

    /**
     * Key "a" holding {@code levels} arrays nested in each other, the innermost an empty u8 array.
     * Level d's element type is at 37 + 12d (tag 4 + count 8 per level).
     */
    static byte[] nested(int levels) {
        GgufBytes b = GgufBytes.v3(0, 1).str("a").u32(ARRAY);
        for (int d = 0; d < levels - 1; d++) {
            b.u32(ARRAY).u64(1);
        }
        return b.u32(UINT8).u64(0).toBytes();
    }
}
