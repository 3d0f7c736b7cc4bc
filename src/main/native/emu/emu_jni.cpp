// emu_jni.cpp: the JNI entry points of io.jgrok.device.EmulatorNative: memory, copies and launches for
// io.jgrok.device.EmulatedDevice.
//
// Java validates every call (live allocations, bounds, kernel signature, launch limits) before it gets here, so
// these functions only do the work. "Device" memory is host memory aligned like cudaMalloc's (256 bytes) and
// poisoned with 0xFF bytes (NaN as float/double, -1 as int) when allocated, so a kernel that reads memory nobody
// wrote sees NaN instead of zeros. Launches run synchronously; a kernel fault becomes a DeviceException.
#include <jni.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "emu_runtime.h"

namespace {

struct Emulator {
    std::unique_ptr<cuda_emu::KernelModule> module;
    std::unique_ptr<cuda_emu::Executor> executor;
};

void throw_device_exception(JNIEnv* env, const std::string& message) {
    jclass cls = env->FindClass("io/jgrok/device/DeviceException");
    if (cls != nullptr) {
        env->ThrowNew(cls, message.c_str());
    }
}

Emulator* emulator(jlong handle) {
    return reinterpret_cast<Emulator*>(handle);
}

void* address(jlong a) {
    return reinterpret_cast<void*>(static_cast<intptr_t>(a));
}

// Copies between a Java primitive array and host memory without an intermediate copy.
void copy_in(JNIEnv* env, jlong dst, jarray src, jint offset, jint count, size_t element) {
    char* elements = static_cast<char*>(env->GetPrimitiveArrayCritical(src, nullptr));
    if (elements == nullptr) {
        return;  // OutOfMemoryError pending
    }
    std::memcpy(address(dst), elements + (size_t)offset * element, (size_t)count * element);
    env->ReleasePrimitiveArrayCritical(src, elements, JNI_ABORT);
}

void copy_out(JNIEnv* env, jarray dst, jint offset, jlong src, jint count, size_t element) {
    char* elements = static_cast<char*>(env->GetPrimitiveArrayCritical(dst, nullptr));
    if (elements == nullptr) {
        return;
    }
    std::memcpy(elements + (size_t)offset * element, address(src), (size_t)count * element);
    env->ReleasePrimitiveArrayCritical(dst, elements, 0);
}

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_io_jgrok_device_EmulatorNative_open(JNIEnv* env, jclass, jstring library,
                                                                  jint workers) {
    const char* path = env->GetStringUTFChars(library, nullptr);
    std::string p(path);
    env->ReleaseStringUTFChars(library, path);
    try {
        auto e = std::make_unique<Emulator>();
        e->module = cuda_emu::KernelModule::load(p);
        e->executor = cuda_emu::Executor::create(workers);
        return reinterpret_cast<jlong>(e.release());
    } catch (const std::exception& ex) {
        throw_device_exception(env, ex.what());
        return 0;
    }
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_close(JNIEnv*, jclass, jlong handle) {
    delete emulator(handle);
}

JNIEXPORT jstring JNICALL Java_io_jgrok_device_EmulatorNative_describe(JNIEnv* env, jclass, jlong handle) {
    return env->NewStringUTF(emulator(handle)->executor->describe().c_str());
}

// One line per kernel (cuda_emu::manifest_line: name, signature, launch bounds), in registration order.
JNIEXPORT jstring JNICALL Java_io_jgrok_device_EmulatorNative_kernelManifest(JNIEnv* env, jclass, jlong handle) {
    std::string text;
    for (const cuda_emu::KernelInfo& k : emulator(handle)->module->kernels()) {
        text += cuda_emu::manifest_line(k) + "\n";
    }
    return env->NewStringUTF(text.c_str());
}

JNIEXPORT jlong JNICALL Java_io_jgrok_device_EmulatorNative_alloc(JNIEnv*, jclass, jlong bytes) {
    size_t rounded = ((size_t)bytes + 255) & ~(size_t)255;
    void* p = std::aligned_alloc(256, rounded);
    if (p != nullptr) {
        std::memset(p, 0xFF, rounded);
    }
    return reinterpret_cast<jlong>(p);
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_free(JNIEnv*, jclass, jlong a) {
    std::free(address(a));
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_memset(JNIEnv*, jclass, jlong dst, jint value,
                                                                   jlong bytes) {
    std::memset(address(dst), value & 0xFF, (size_t)bytes);
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_copy(JNIEnv*, jclass, jlong dst, jlong src, jlong bytes) {
    std::memmove(address(dst), address(src), (size_t)bytes);
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_copyFromFloats(JNIEnv* env, jclass, jlong dst,
                                                                           jfloatArray src, jint offset,
                                                                           jint count) {
    copy_in(env, dst, src, offset, count, sizeof(jfloat));
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_copyFromInts(JNIEnv* env, jclass, jlong dst,
                                                                         jintArray src, jint offset, jint count) {
    copy_in(env, dst, src, offset, count, sizeof(jint));
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_copyFromDoubles(JNIEnv* env, jclass, jlong dst,
                                                                            jdoubleArray src, jint offset,
                                                                            jint count) {
    copy_in(env, dst, src, offset, count, sizeof(jdouble));
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_copyToFloats(JNIEnv* env, jclass, jfloatArray dst,
                                                                         jint offset, jlong src, jint count) {
    copy_out(env, dst, offset, src, count, sizeof(jfloat));
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_copyToInts(JNIEnv* env, jclass, jintArray dst,
                                                                       jint offset, jlong src, jint count) {
    copy_out(env, dst, offset, src, count, sizeof(jint));
}

JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_copyToDoubles(JNIEnv* env, jclass, jdoubleArray dst,
                                                                          jint offset, jlong src, jint count) {
    copy_out(env, dst, offset, src, count, sizeof(jdouble));
}

// args: the arguments' bits in declaration order (a 4-byte argument in the low half); each parameter slot is
// 8 bytes and kernelParams[i] points at slot i, which is what the kernel's trampoline dereferences.
JNIEXPORT void JNICALL Java_io_jgrok_device_EmulatorNative_launch(JNIEnv* env, jclass, jlong handle,
                                                                   jint kernel, jint gx, jint gy, jint gz, jint bx,
                                                                   jint by, jint bz, jint dynamic_shared,
                                                                   jlongArray args) {
    Emulator* e = emulator(handle);
    const jsize n = env->GetArrayLength(args);
    std::vector<jlong> slots(n > 0 ? n : 1);
    env->GetLongArrayRegion(args, 0, n, slots.data());
    std::vector<void*> params(n > 0 ? n : 1);
    for (jsize i = 0; i < n; i++) {
        params[i] = &slots[i];
    }
    cuda_emu::Launch launch{e->module.get(),
                            &e->module->kernels()[kernel],
                            params.data(),
                            dim3((unsigned)gx, (unsigned)gy, (unsigned)gz),
                            dim3((unsigned)bx, (unsigned)by, (unsigned)bz),
                            (size_t)dynamic_shared};
    std::string error;
    try {
        error = e->executor->run(launch);
    } catch (const std::exception& ex) {
        error = ex.what();
    }
    if (!error.empty()) {
        throw_device_exception(env, error);
    }
}

}  // extern "C"
