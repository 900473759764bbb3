# Builds the `native` backend addon. The GEMM micro-kernels live in one static library per
# instruction set so each is compiled with its own -m flags; the addon picks one at run time
# (__builtin_cpu_supports), so the same build runs on any x86-64 machine. arm64 and others get
# the portable kernels only (the compiler auto-vectorizes them for the baseline ISA, NEON on arm64).
{
  "target_defaults": {
    "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
    "cflags!": ["-O2", "-O0"],
    "cflags_cc": ["-O3", "-std=c++17", "-fPIC", "-fno-math-errno", "-fno-trapping-math", "-fvisibility=hidden"],
    "xcode_settings": {
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-math-errno"],
      "GCC_ENABLE_CPP_EXCEPTIONS": "NO"
    },
    "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src"]
  },
  "targets": [
    {
      "target_name": "contrastive_native",
      "sources": [
        "src/addon.cc",
        "src/thread_pool.cc",
        "src/gemm.cc",
        "src/gemm_kernel_generic.cc",
        "src/matmul_binding.cc",
        "src/conv.cc",
        "src/winograd.cc",
        "src/depthwise.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/pool.cc",
        "src/norm.cc",
        "src/batch_norm.cc",
        "src/transpose.cc",
        "src/peak.cc",
        "src/tile.cc",
        "src/layer_norm.cc",
        "src/gelu.cc",
        "src/attention_softmax.cc",
        "src/heads_matmul.cc",
        "src/attention_fused.cc",
        "src/adam.cc",
        "src/slice.cc"
      ],
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["gemm_kernel_avx2", "gemm_kernel_avx512", "attention_kernel_avx512"],
          "defines": ["CONTRASTIVE_X64=1"]
        }],
        ["OS=='linux'", { "libraries": ["-lpthread"] }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "gemm_kernel_avx2",
          "type": "static_library",
          "sources": ["src/gemm_kernel_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma", "-mf16c"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-mavx2", "-mfma"] }
        },
        {
          "target_name": "gemm_kernel_avx512",
          "type": "static_library",
          "sources": ["src/gemm_kernel_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-mavx512f", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma"] }
        },
        {
          "target_name": "attention_kernel_avx512",
          "type": "static_library",
          "sources": ["src/attention_short_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-mavx512f", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma"] }
        }
      ]
    }]
  ]
}
