# Builds build/Release/polytask_native.node: the N-API glue (native/binding) over the kernels
# (native/kernels). Each GEMM micro-kernel that needs wider vector instructions is a static
# library of its own, so only it is compiled with those -m flags; gemm_dispatch.cpp picks one at
# run time with __builtin_cpu_supports.
{
  'target_defaults': {
    # -fno-math-errno: no kernel reads errno, and without it sqrt cannot be vectorised.
    # -fno-trapping-math: no kernel unmasks or reads floating-point exceptions, and without it GCC
    # keeps a compare-and-select of a computed float (the polynomial exp of fast_math.h) a branch.
    # Neither flag changes a result: both keep IEEE arithmetic, NaN and infinities as they are.
    'cflags': ['-O3', '-Wall', '-Wextra', '-fPIC', '-fno-math-errno', '-fno-trapping-math'],
    'cflags_cc': ['-std=c++17'],
    'xcode_settings': {
      'OTHER_CFLAGS': ['-O3', '-fno-math-errno', '-fno-trapping-math'],
      'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
    },
    'msvs_settings': {
      'VCCLCompilerTool': {'AdditionalOptions': ['/std:c++17']},
    },
  },
  'targets': [
    {
      'target_name': 'polytask_gemm_avx512',
      'type': 'static_library',
      'sources': ['native/kernels/gemm_avx512.cpp'],
      'conditions': [
        ["target_arch=='x64' and OS!='win'", {'cflags': ['-mavx512f', '-mavx2', '-mfma']}],
      ],
    },
    {
      # AVX512-BF16 (VDPBF16PS): only where the compiler takes -mavx512bf16; without the flag the
      # file compiles to a stub and bf16 runs emulated (gemm_bf16.h).
      'target_name': 'polytask_gemm_bf16_avx512',
      'type': 'static_library',
      'sources': ['native/kernels/gemm_bf16_avx512.cpp'],
      'conditions': [
        ["target_arch=='x64' and OS!='win' and '<!(node native/cc-supports-flag.mjs -mavx512bf16)'=='1'", {
          'cflags': ['-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512bf16', '-mavx2', '-mfma'],
        }],
      ],
    },
    {
      # AMX-BF16 (TDPBF16PS on tile registers), its left-over steps with VDPBF16PS: only where the
      # compiler takes -mamx-bf16; without it the file compiles to a stub (gemm_bf16_amx.cpp).
      'target_name': 'polytask_gemm_bf16_amx',
      'type': 'static_library',
      'sources': ['native/kernels/gemm_bf16_amx.cpp'],
      'conditions': [
        ["target_arch=='x64' and OS!='win' and '<!(node native/cc-supports-flag.mjs -mamx-bf16)'=='1' and '<!(node native/cc-supports-flag.mjs -mavx512bf16)'=='1'", {
          'cflags': ['-mamx-tile', '-mamx-bf16', '-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512bf16', '-mavx2', '-mfma'],
        }],
      ],
    },
    {
      'target_name': 'polytask_gemm_avx2',
      'type': 'static_library',
      'sources': ['native/kernels/gemm_avx2.cpp'],
      'conditions': [
        ["target_arch=='x64' and OS!='win'", {'cflags': ['-mavx2', '-mfma']}],
      ],
    },
    {
      'target_name': 'polytask_native',
      'sources': [
        'native/binding/addon.cc',
        'native/binding/args.cc',
        'native/binding/signature.cc',
        'native/binding/bind_conv.cc',
        'native/binding/bind_elementwise.cc',
        'native/binding/bind_gemm.cc',
        'native/binding/bind_memory.cc',
        'native/binding/bind_movement.cc',
        'native/binding/bind_norm.cc',
        'native/binding/bind_optim.cc',
        'native/binding/bind_pool.cc',
        'native/binding/bind_reduce.cc',
        'native/binding/bind_softmax.cc',
        'native/kernels/conv.cpp',
        'native/kernels/conv_batch.cpp',
        'native/kernels/conv_depthwise.cpp',
        'native/kernels/conv_depthwise_nhwc.cpp',
        'native/kernels/conv_depthwise_planar.cpp',
        'native/kernels/conv_rows.cpp',
        'native/kernels/conv_transpose.cpp',
        'native/kernels/conv_wgrad_direct.cpp',
        'native/kernels/conv_direct.cpp',
        'native/kernels/conv_phase_planes.cpp',
        'native/kernels/conv_wide.cpp',
        'native/kernels/conv_winograd.cpp',
        'native/kernels/cpu_caches.cpp',
        'native/kernels/elementwise.cpp',
        'native/kernels/gemm_bf16.cpp',
        'native/kernels/gemm_dispatch.cpp',
        'native/kernels/gemm_driver.cpp',
        'native/kernels/gemm_generic.cpp',
        'native/kernels/gemm_reference.cpp',
        'native/kernels/movement.cpp',
        'native/kernels/norm.cpp',
        'native/kernels/optim.cpp',
        'native/kernels/parallel.cpp',
        'native/kernels/pool.cpp',
        'native/kernels/reduce.cpp',
        'native/kernels/softmax.cpp',
        'native/kernels/storage_pool.cpp',
      ],
      'dependencies': [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all",
        'polytask_gemm_avx512',
        'polytask_gemm_avx2',
        'polytask_gemm_bf16_avx512',
        'polytask_gemm_bf16_amx',
      ],
      'libraries': ['-lpthread'],
    },
  ],
}
