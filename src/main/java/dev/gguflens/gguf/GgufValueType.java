package dev.gguflens.gguf;

/** The 13 GGUF metadata value types ({@code enum gguf_type}), with their payload sizes. */
public enum GgufValueType {
    UINT8(0, "u8", 1), INT8(1, "i8", 1), UINT16(2, "u16", 2), INT16(3, "i16", 2),
    UINT32(4, "u32", 4), INT32(5, "i32", 4), FLOAT32(6, "f32", 4), BOOL(7, "bool", 1),
    STRING(8, "str", 0), ARRAY(9, "arr", 0), UINT64(10, "u64", 8), INT64(11, "i64", 8), FLOAT64(12, "f64", 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final String ggmlName;
    private final int size;

    GgufValueType(int id, String ggmlName, int size) {
        this.id = id;
        this.ggmlName = ggmlName;
        this.size = size;
    }

    /** The tag stored in the file. */
    public int id() {
        return id;
    }

    /** The short name ggml's {@code gguf_type_name} prints ({@code u32}, {@code str}, ...). */
    public String ggmlName() {
        return ggmlName;
    }

    /** Payload bytes of a scalar of this type; 0 for STRING and ARRAY, whose size depends on the value. */
    public int size() {
        return size;
    }

    /** Whether the value is a fixed-size number or bool. */
    public boolean isFixedSize() {
        return size > 0;
    }

    public boolean isInteger() {
        return this == UINT8 || this == INT8 || this == UINT16 || this == INT16 || this == UINT32 || this == INT32
                || this == UINT64 || this == INT64;
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** The type with this tag, or null when the tag is not one of the 13. */
    public static GgufValueType byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
