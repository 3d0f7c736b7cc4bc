package io.jgrok.torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as PyTorch files hold it: an element type, a shape and its elements in row-major order (little-endian
 * bytes, as in torch's storages). Views into shared storages are copied out when a file is read, so every instance
 * owns its data. Immutable.
 */
public final class TorchTensor {
    private final Dtype dtype;
    private final int[] shape;
    private final byte[] data;

    TorchTensor(Dtype dtype, int[] shape, byte[] data) {
        long n = numel(shape);
        if (data.length != n * dtype.size) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " needs " + n * dtype.size + " bytes, got " + data.length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
    }

    public static TorchTensor ofFloats(int[] shape, float[] values) {
        ByteBuffer b = buffer(values.length * 4L);
        b.asFloatBuffer().put(values);
        return new TorchTensor(Dtype.FLOAT32, shape, b.array());
    }

    public static TorchTensor ofLongs(int[] shape, long[] values) {
        ByteBuffer b = buffer(values.length * 8L);
        b.asLongBuffer().put(values);
        return new TorchTensor(Dtype.INT64, shape, b.array());
    }

    public static TorchTensor ofBools(int[] shape, boolean[] values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) (values[i] ? 1 : 0);
        }
        return new TorchTensor(Dtype.BOOL, shape, bytes);
    }

    public Dtype dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public long numel() {
        return numel(shape);
    }

    /** Row-major strides in elements, as torch writes them for a contiguous tensor. */
    public long[] contiguousStrides() {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** The raw little-endian bytes (shared; do not modify). */
    byte[] bytes() {
        return data;
    }

    /** The elements of a float32 tensor. */
    public float[] floats() {
        require(Dtype.FLOAT32);
        float[] out = new float[(int) numel()];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** The elements of an integer tensor, widened to long. */
    public long[] longs() {
        long[] out = new long[(int) numel()];
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case INT64 -> b.getLong(i * 8);
                case INT32 -> b.getInt(i * 4);
                case INT16 -> b.getShort(i * 2);
                case INT8 -> data[i];
                case UINT8, BOOL -> data[i] & 0xff;
                default -> throw new IllegalStateException("a " + dtype + " tensor has no integer elements");
            };
        }
        return out;
    }

    /** The single element of a tensor with one element, as a double (float and integer types). */
    public double scalar() {
        if (numel() != 1) {
            throw new IllegalStateException("tensor of shape " + Arrays.toString(shape) + " is not a scalar");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        return switch (dtype) {
            case FLOAT32 -> b.getFloat(0);
            case FLOAT64 -> b.getDouble(0);
            case FLOAT16, BFLOAT16 -> throw new IllegalStateException("half-precision scalars are not read");
            default -> longs()[0];
        };
    }

    private void require(Dtype wanted) {
        if (dtype != wanted) {
            throw new IllegalStateException("tensor has dtype " + dtype + ", expected " + wanted);
        }
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    private static ByteBuffer buffer(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor too large: " + bytes + " bytes");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public String toString() {
        return "tensor(" + dtype + ", " + Arrays.toString(shape) + ")";
    }
}
