# steel_models: prints the U-Net parameter-count table (thesis Figure 56); include()d from src/CMakeLists.txt.
add_executable(steel_models ${CMAKE_CURRENT_LIST_DIR}/models_main.cpp)
target_link_libraries(steel_models PRIVATE steel::steel)
