package io.jgrok.torch;

/**
 * The element types of PyTorch storages that jgrok reads and writes, with the names torch's pickles use for them:
 * the legacy storage class ({@code torch.FloatStorage}, which {@code torch.save} still writes into every storage's
 * persistent id) and the dtype object ({@code torch.float32}, which appears in pickled configs).
 */
public enum Dtype {
    FLOAT32("FloatStorage", "float32", 4),
    FLOAT64("DoubleStorage", "float64", 8),
    FLOAT16("HalfStorage", "float16", 2),
    BFLOAT16("BFloat16Storage", "bfloat16", 2),
    INT64("LongStorage", "int64", 8),
    INT32("IntStorage", "int32", 4),
    INT16("ShortStorage", "int16", 2),
    INT8("CharStorage", "int8", 1),
    UINT8("ByteStorage", "uint8", 1),
    BOOL("BoolStorage", "bool", 1);

    /** Name of the storage class in module {@code torch}. */
    public final String storageClass;
    /** Name of the dtype in module {@code torch}. */
    public final String torchName;
    /** Bytes per element. */
    public final int size;

    Dtype(String storageClass, String torchName, int size) {
        this.storageClass = storageClass;
        this.torchName = torchName;
        this.size = size;
    }

    /** The dtype whose storage class is {@code name}, or null. */
    static Dtype ofStorageClass(String name) {
        for (Dtype d : values()) {
            if (d.storageClass.equals(name)) {
                return d;
            }
        }
        return null;
    }

    /**
     * The dtype named {@code name} in module {@code torch} (also the aliases torch pickles under: float, double,
     * half, long, int, short), or null.
     */
    static Dtype ofTorchName(String name) {
        for (Dtype d : values()) {
            if (d.torchName.equals(name)) {
                return d;
            }
        }
        return switch (name) {
            case "float" -> FLOAT32;
            case "double" -> FLOAT64;
            case "half" -> FLOAT16;
            case "long" -> INT64;
            case "int" -> INT32;
            case "short" -> INT16;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return torchName;
    }
}
