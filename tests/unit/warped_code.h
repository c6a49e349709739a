// Frames of a card's QR code as a hand-held camera sees it, made in the test: the code (black on
// white, on a white card, on a darker desk) strongly foreshortened, bent round a cylinder, blurred
// along a motion. Pinhole camera, focal length 0.9 x the frame's width, 3 x 3 supersampling, a
// slight optical blur. Deterministic.
#pragma once

#include <cstdint>
#include <string>

#include "scanner/image.h"

namespace scanner::test {

struct CodePose {
  int width = 640, height = 480;  // the frame
  double side = 240;              // the code's side in pixels (quiet zone excluded) if frontal
  double pitch = 0, yaw = 0;      // tilt about the frame's horizontal and vertical axes, degrees
  double roll = 0;                // rotation in the image plane, degrees
  double bend = 0;                // cylinder radius (axis along the code's columns) / side; 0: flat
  double motion = 0;              // motion blur length, pixels
  double motion_angle = 0;        // its direction, degrees
  double focus = 0.6;             // gaussian blur sigma, pixels
};

// A card text as the issuer makes them (version 11-12 at ECC Q, 61-65 modules).
std::string CardText(int index);

// The frame: the code of `text` at `pose`, its centre at the frame's centre.
GrayImage WarpedCode(const std::string& text, const CodePose& pose);

}  // namespace scanner::test
