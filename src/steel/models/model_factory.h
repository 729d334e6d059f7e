// Builds encoders and U-Nets by backbone name ("resnet34", "efficientnet-b3", ...), the names the CLI and configs use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "steel/models/backbone_names.h"
#include "steel/models/encoder.h"
#include "steel/models/unet.h"

namespace steel::models {

/// The encoder alone (e.g. to load ImageNet weights into it). Only `drop_connect_rate` of the options is
/// used. Throws steel::ConfigError listing the valid names when `backbone` is unknown.
std::shared_ptr<EncoderImpl> make_encoder(const std::string& backbone, const UNetOptions& options = {});

/// sm.Unet(backbone, classes=num_classes) with `options.encoder_mode()` applied. Throws steel::ConfigError
/// listing the valid names when `backbone` is unknown.
UNet make_unet(const std::string& backbone, const UNetOptions& options = {});

}  // namespace steel::models
