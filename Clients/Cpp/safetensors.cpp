#include "safetensors.h"

#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>

namespace client {
namespace {

// Just enough JSON for a safetensors header: objects, arrays, strings (no escapes beyond \" and \\), integers.
struct Json {
  enum Kind { Object, Array, String, Number } kind = Number;
  std::map<std::string, Json> object;
  std::vector<Json> array;
  std::string text;
  int64_t number = 0;
};

struct Parser {
  const std::string& s;
  size_t i = 0;
  std::string file;

  [[noreturn]] void Fail(const char* what) { throw std::runtime_error(file + ": safetensors header: " + what + " at byte " + std::to_string(i)); }
  void Space() { while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i; }
  void Expect(char c) { Space(); if (i >= s.size() || s[i] != c) Fail("unexpected character"); ++i; }

  std::string String() {
    Expect('"');
    std::string out;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i++];
    }
    if (i >= s.size()) Fail("unterminated string");
    ++i;
    return out;
  }

  Json Value() {
    Space();
    if (i >= s.size()) Fail("unexpected end");
    Json v;
    if (s[i] == '{') {
      v.kind = Json::Object;
      ++i;
      Space();
      if (s[i] == '}') { ++i; return v; }
      while (true) {
        std::string key = String();
        Expect(':');
        v.object[key] = Value();
        Space();
        if (s[i] == ',') { ++i; continue; }
        Expect('}');
        return v;
      }
    }
    if (s[i] == '[') {
      v.kind = Json::Array;
      ++i;
      Space();
      if (s[i] == ']') { ++i; return v; }
      while (true) {
        v.array.push_back(Value());
        Space();
        if (s[i] == ',') { ++i; continue; }
        Expect(']');
        return v;
      }
    }
    if (s[i] == '"') {
      v.kind = Json::String;
      v.text = String();
      return v;
    }
    size_t start = i;
    while (i < s.size() && (s[i] == '-' || (s[i] >= '0' && s[i] <= '9'))) ++i;
    if (start == i) Fail("expected a value");
    v.number = std::stoll(s.substr(start, i - start));
    return v;
  }
};

}  // namespace

std::vector<Tensor> ReadSafeTensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  unsigned char size_bytes[8];
  if (!in.read(reinterpret_cast<char*>(size_bytes), 8)) throw std::runtime_error(path + ": shorter than a safetensors header");
  uint64_t header_size = 0;
  for (int k = 7; k >= 0; --k) header_size = header_size << 8 | size_bytes[k];
  if (header_size > (64u << 20)) throw std::runtime_error(path + ": implausible header length");
  std::string header(header_size, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_size))) throw std::runtime_error(path + ": truncated header");
  Parser parser{header, 0, path};
  Json root = parser.Value();
  if (root.kind != Json::Object) throw std::runtime_error(path + ": header is not an object");
  std::vector<char> body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Tensor> tensors;
  for (const auto& [name, entry] : root.object) {
    if (name == "__metadata__") continue;
    const auto& dtype = entry.object.at("dtype").text;
    if (dtype != "F32") throw std::runtime_error(path + ": tensor '" + name + "' has dtype " + dtype + ", expected F32");
    Tensor t;
    t.name = name;
    int64_t count = 1;
    for (const auto& d : entry.object.at("shape").array) { t.shape.push_back(d.number); count *= d.number; }
    const auto& offsets = entry.object.at("data_offsets").array;
    int64_t begin = offsets.at(0).number, end = offsets.at(1).number;
    if (end - begin != count * 4 || end > static_cast<int64_t>(body.size()) || begin < 0)
      throw std::runtime_error(path + ": tensor '" + name + "' has data offsets that do not fit its shape or the file");
    t.data.resize(static_cast<size_t>(count));
    std::memcpy(t.data.data(), body.data() + begin, static_cast<size_t>(end - begin));
    tensors.push_back(std::move(t));
  }
  return tensors;
}

void WriteSafeTensors(const std::string& path, const std::vector<Tensor>& tensors) {
  std::string header = "{";
  int64_t offset = 0;
  for (size_t k = 0; k < tensors.size(); ++k) {
    const auto& t = tensors[k];
    std::string shape;
    for (size_t d = 0; d < t.shape.size(); ++d) shape += (d ? "," : "") + std::to_string(t.shape[d]);
    const int64_t bytes = static_cast<int64_t>(t.data.size()) * 4;
    header += (k ? "," : "") + std::string("\"") + t.name + "\":{\"dtype\":\"F32\",\"shape\":[" + shape + "],\"data_offsets\":[" +
              std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  while (header.size() % 8 != 0) header += ' ';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(path + ": cannot create");
  uint64_t n = header.size();
  unsigned char size_bytes[8];
  for (int k = 0; k < 8; ++k) size_bytes[k] = static_cast<unsigned char>(n >> (8 * k));
  out.write(reinterpret_cast<const char*>(size_bytes), 8);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  for (const auto& t : tensors) out.write(reinterpret_cast<const char*>(t.data.data()), static_cast<std::streamsize>(t.data.size() * 4));
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace client
