# steel_models: prints the U-Net parameter-count table (thesis Figure 56); include()d from src/CMakeLists.txt.
add_executable(steel_models ${CMAKE_CURRENT_LIST_DIR}/models_main.cpp)
target_link_libraries(steel_models PRIVATE steel::steel)

# Benchmark helper (docs/BENCHMARKS.md, docs/GPU.md): training-step speed, FLOPs and peak memory per backbone.
add_executable(steel_model_bench ${CMAKE_CURRENT_LIST_DIR}/model_bench_main.cpp)
target_link_libraries(steel_model_bench PRIVATE steel::steel Boost::program_options)
