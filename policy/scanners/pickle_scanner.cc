#include "policy/scanners/pickle_scanner.h"

#include <cstdio>
#include <memory>
#include <unordered_map>

namespace probity::policy {
namespace {

// What the simulation knows about a stack value: enough to resolve STACK_GLOBAL strings
// and to size the arrays joblib writes between opcodes. Everything else is kUnknown.
enum class Kind { kUnknown, kInt, kString, kBytes, kTuple, kList, kDict, kGlobal, kObject };

struct Value;
using ValuePtr = std::shared_ptr<Value>;
struct Value {
  Kind kind = Kind::kUnknown;
  int64_t number = 0;
  std::string text;             // kString/kBytes: contents; kGlobal/kObject: "module.name"
  std::vector<ValuePtr> items;  // kTuple/kList: elements; kDict: key, value, …; kObject: args
};

ValuePtr Make(Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}
ValuePtr MakeText(Kind kind, std::string text) {
  ValuePtr v = Make(kind);
  v->text = std::move(text);
  return v;
}
ValuePtr MakeInt(int64_t number) {
  ValuePtr v = Make(Kind::kInt);
  v->number = number;
  return v;
}

// The legacy torch.save magic number pickle: PROTO 2, LONG1 0x1950a86a20f9469cfc6c, STOP.
constexpr std::string_view kTorchLegacyMagic =
    "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e";
constexpr int kTorchLegacyPickles = 5;  // magic, protocol, sys_info, object, storage keys
constexpr int kMaxNesting = 8;          // joblib object arrays: a pickle inside a pickle

bool IsIdentifierPath(std::string_view text) {
  if (text.empty()) return false;
  bool start = true;
  for (char c : text) {
    if (c == '.') {
      if (start) return false;
      start = true;
      continue;
    }
    bool letter = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && !start)) return false;
    start = false;
  }
  return !start;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// UNICODE's raw-unicode-escape: only \uXXXX and \UXXXXXXXX are escapes.
std::string DecodeRawUnicodeEscape(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    size_t digits = 0;
    if (in[i] == '\\' && i + 1 < in.size())
      digits = in[i + 1] == 'u' ? 4 : in[i + 1] == 'U' ? 8 : 0;
    uint32_t cp = 0;
    bool ok = digits > 0 && i + 2 + digits <= in.size();
    for (size_t k = 0; ok && k < digits; ++k) {
      int d = HexDigit(in[i + 2 + k]);
      ok = d >= 0;
      cp = cp * 16 + static_cast<uint32_t>(d);
    }
    if (ok && cp <= 0x10FFFF) {
      AppendUtf8(out, cp);
      i += 1 + digits;
    } else {
      out += in[i];
    }
  }
  return out;
}

// STRING's Python string literal (quotes already checked): the escapes of codecs.escape_decode.
std::string DecodeEscapes(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 >= in.size()) {
      out += in[i];
      continue;
    }
    char c = in[++i];
    switch (c) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\n': break;
      case 'x':
        if (i + 2 < in.size() && HexDigit(in[i + 1]) >= 0 && HexDigit(in[i + 2]) >= 0) {
          out += static_cast<char>(HexDigit(in[i + 1]) * 16 + HexDigit(in[i + 2]));
          i += 2;
        } else {
          out += "\\x";
        }
        break;
      default:
        if (c >= '0' && c <= '7') {
          int value = c - '0';
          for (int k = 0; k < 2 && i + 1 < in.size() && in[i + 1] >= '0' && in[i + 1] <= '7'; ++k) {
            value = value * 8 + (in[++i] - '0');
          }
          out += static_cast<char>(value & 0xFF);
        } else if (c == '\\' || c == '\'' || c == '"') {
          out += c;
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view bytes, PickleScan* out) : bytes_(bytes), out_(out) {}
  // Values can form cycles (a list appended to itself) and arbitrarily deep chains (a tuple
  // of a tuple of …): unlink every container first, so nothing is freed recursively.
  ~Parser() {
    for (const ValuePtr& node : containers_) node->items.clear();
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  size_t pos() const { return pos_; }
  void set_pos(size_t pos) { pos_ = pos; }
  bool saw_something() const { return saw_something_; }
  void reset_saw_something() { saw_something_ = false; }
  const std::string& error() const { return error_; }
  int64_t error_offset() const { return error_offset_; }

  // Parses one pickle from pos(); true when its STOP was reached.
  bool ParseOne(int depth) {
    stack_.clear();
    marks_.clear();
    memo_.clear();
    while (true) {
      if (pos_ >= bytes_.size()) return Fail(pos_, "the pickle ends before its STOP opcode");
      op_offset_ = pos_;
      unsigned char op = static_cast<unsigned char>(bytes_[pos_++]);
      bool stop = false;
      if (!Step(op, depth, &stop)) return false;
      if (stop) return true;
    }
  }

 private:
  bool Fail(size_t offset, std::string message) {
    error_ = std::move(message);
    error_offset_ = static_cast<int64_t>(offset);
    return false;
  }
  bool Truncated(std::string_view opcode, size_t need) {
    return Fail(op_offset_, std::string(opcode) + " at byte " + std::to_string(op_offset_) +
                                " needs " + std::to_string(need) + " more bytes; " +
                                std::to_string(bytes_.size() - pos_) + " remain");
  }
  bool Take(std::string_view opcode, uint64_t n, std::string_view* out) {
    if (n > bytes_.size() - pos_)
      return Truncated(opcode, static_cast<size_t>(std::min<uint64_t>(n, SIZE_MAX)));
    *out = bytes_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }
  bool Unsigned(std::string_view opcode, size_t width, uint64_t* out) {
    std::string_view raw;
    if (!Take(opcode, width, &raw)) return false;
    *out = 0;
    for (size_t i = 0; i < width; ++i) {
      *out |= static_cast<uint64_t>(static_cast<unsigned char>(raw[i])) << (8 * i);
    }
    return true;
  }
  bool Line(std::string_view opcode, std::string_view* out) {
    size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos) {
      return Fail(op_offset_, std::string(opcode) + " at byte " + std::to_string(op_offset_) +
                                  " has no terminating newline");
    }
    *out = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return true;
  }
  // Length-prefixed payload: a `width`-byte little-endian length, then the bytes.
  bool Counted(std::string_view opcode, size_t width, std::string_view* out) {
    uint64_t n = 0;
    if (!Unsigned(opcode, width, &n)) return false;
    if (width == 4 && n > 0x7FFFFFFFu && (opcode == "BINSTRING")) {
      return Fail(op_offset_,
                  "BINSTRING at byte " + std::to_string(op_offset_) + " has a negative length");
    }
    return Take(opcode, n, out);
  }

  void Push(ValuePtr v) { stack_.push_back(std::move(v)); }
  ValuePtr Container(Kind kind) {
    ValuePtr v = Make(kind);
    containers_.push_back(v);
    return v;
  }
  // Lenient: an empty stack yields an unknown value, so scanning continues past anomalies
  // (what matters is every import and call, not a faithful object).
  ValuePtr Pop() {
    size_t floor = marks_.empty() ? 0 : marks_.back();
    if (stack_.size() <= floor) return Make(Kind::kUnknown);
    ValuePtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  ValuePtr Top() { return stack_.empty() ? Make(Kind::kUnknown) : stack_.back(); }
  std::vector<ValuePtr> PopMark() {
    size_t mark = 0;
    if (!marks_.empty()) {
      mark = std::min(marks_.back(), stack_.size());
      marks_.pop_back();
    }
    std::vector<ValuePtr> items(
        std::make_move_iterator(stack_.begin() + static_cast<ptrdiff_t>(mark)),
        std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return items;
  }
  void Memo(uint64_t index) { memo_[index] = Top(); }
  void Get(uint64_t index) {
    auto it = memo_.find(index);
    Push(it == memo_.end() ? Make(Kind::kUnknown) : it->second);
  }

  ValuePtr Import(std::string module, std::string name, std::string_view opcode, bool resolved) {
    saw_something_ = true;
    out_->imports.push_back(PickleImport{module, name, static_cast<int64_t>(op_offset_),
                                         std::string(opcode), resolved});
    return MakeText(Kind::kGlobal, module + "." + name);
  }
  void Call(std::string_view opcode, const ValuePtr& callable) {
    std::string name;
    if (callable->kind == Kind::kGlobal || callable->kind == Kind::kObject) name = callable->text;
    out_->calls.push_back(PickleCall{static_cast<int64_t>(op_offset_), std::string(opcode), name});
  }
  ValuePtr Object(const ValuePtr& callable, std::vector<ValuePtr> args) {
    ValuePtr v = Container(Kind::kObject);
    if (callable->kind == Kind::kGlobal) v->text = callable->text;
    v->items = std::move(args);
    return v;
  }

  bool GlobalLines(std::string_view opcode, std::string* module, std::string* name) {
    std::string_view m, n;
    if (!Line(opcode, &m) || !Line(opcode, &n)) return false;
    if (!m.empty() && m.back() == '\r') m.remove_suffix(1);
    if (!n.empty() && n.back() == '\r') n.remove_suffix(1);
    if (!IsIdentifierPath(m) || !IsIdentifierPath(n)) {
      return Fail(op_offset_, std::string(opcode) + " at byte " + std::to_string(op_offset_) +
                                  " names no Python module and attribute");
    }
    *module = std::string(m);
    *name = std::string(n);
    return true;
  }

  bool Step(unsigned char op, int depth, bool* stop);
  bool SkipJoblibArray(const ValuePtr& state, int depth);

  std::string_view bytes_;
  PickleScan* out_;
  size_t pos_ = 0;
  size_t op_offset_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
  std::vector<ValuePtr> containers_;  // every value that holds others
  bool saw_something_ = false;        // an import in the current pickle
  std::string error_;
  int64_t error_offset_ = -1;
};

// joblib writes each NumPy array's bytes right after the BUILD of its NumpyArrayWrapper:
// an object array as a nested pickle, any other as raw bytes (after one padding-length
// byte and that much padding when the wrapper records an alignment).
bool Parser::SkipJoblibArray(const ValuePtr& state, int depth) {
  ValuePtr dtype, shape, alignment;
  for (size_t i = 0; i + 1 < state->items.size(); i += 2) {
    const ValuePtr& key = state->items[i];
    if (key->kind != Kind::kString) continue;
    if (key->text == "dtype") dtype = state->items[i + 1];
    if (key->text == "shape") shape = state->items[i + 1];
    if (key->text == "numpy_array_alignment_bytes") alignment = state->items[i + 1];
  }
  std::string descr;
  if (dtype && dtype->kind == Kind::kObject && !dtype->items.empty() &&
      dtype->items[0]->kind == Kind::kTuple && !dtype->items[0]->items.empty() &&
      dtype->items[0]->items[0]->kind == Kind::kString) {
    descr = dtype->items[0]->items[0]->text;
  }
  size_t wrapper_end = pos_;
  auto unsized = [&] {
    return Fail(wrapper_end, "cannot size the joblib array after the NumpyArrayWrapper at byte " +
                                 std::to_string(op_offset_) + " (dtype " +
                                 (descr.empty() ? std::string("unknown") : descr) + ")");
  };
  if (descr.empty()) return unsized();
  if (descr[0] == 'O') {
    if (depth + 1 > kMaxNesting) return Fail(pos_, "pickles nested too deeply");
    auto saved_stack = std::move(stack_);
    auto saved_marks = std::move(marks_);
    auto saved_memo = std::move(memo_);
    size_t saved_op = op_offset_;
    bool ok = ParseOne(depth + 1);
    stack_ = std::move(saved_stack);
    marks_ = std::move(saved_marks);
    memo_ = std::move(saved_memo);
    op_offset_ = saved_op;
    return ok;
  }
  size_t digits = descr.find_first_of("0123456789");
  if (digits == std::string::npos || !shape || shape->kind != Kind::kTuple) return unsized();
  uint64_t item_bytes = std::strtoull(descr.c_str() + digits, nullptr, 10);
  uint64_t total = item_bytes;
  for (const ValuePtr& dim : shape->items) {
    if (dim->kind != Kind::kInt || dim->number < 0) return unsized();
    uint64_t n = static_cast<uint64_t>(dim->number);
    if (n != 0 && total > bytes_.size() / n) {
      return Fail(wrapper_end, "the joblib array after byte " + std::to_string(op_offset_) +
                                   " is larger than the file");
    }
    total *= n;
  }
  if (alignment && alignment->kind == Kind::kInt) {
    uint64_t padding = 0;
    std::string_view skipped;
    if (!Unsigned("joblib array padding", 1, &padding) ||
        !Take("joblib array padding", padding, &skipped)) {
      return false;
    }
  }
  std::string_view data;
  return Take("joblib array data", total, &data);
}

bool Parser::Step(unsigned char op, int depth, bool* stop) {
  std::string_view arg;
  uint64_t n = 0;
  switch (op) {
    case '(': marks_.push_back(stack_.size()); return true;
    case '.':  // STOP
      Pop();
      *stop = true;
      return true;
    case '0': Pop(); return true;  // POP
    case '1': PopMark(); return true;
    case '2': Push(Top()); return true;  // DUP
    case 'N': Push(Make(Kind::kUnknown)); return true;
    case 0x88:
    case 0x89: Push(Make(Kind::kUnknown)); return true;  // NEWTRUE, NEWFALSE
    case 'I':
    case 'L': {
      if (!Line(op == 'I' ? "INT" : "LONG", &arg)) return false;
      std::string text(arg);
      if (!text.empty() && text.back() == 'L') text.pop_back();
      char* end = nullptr;
      long long value = std::strtoll(text.c_str(), &end, 10);
      Push(end != text.c_str() && *end == '\0' ? MakeInt(value) : Make(Kind::kUnknown));
      return true;
    }
    case 'F':
      if (!Line("FLOAT", &arg)) return false;
      Push(Make(Kind::kUnknown));
      return true;
    case 'J':
      if (!Unsigned("BININT", 4, &n)) return false;
      Push(MakeInt(static_cast<int32_t>(static_cast<uint32_t>(n))));
      return true;
    case 'K':
      if (!Unsigned("BININT1", 1, &n)) return false;
      Push(MakeInt(static_cast<int64_t>(n)));
      return true;
    case 'M':
      if (!Unsigned("BININT2", 2, &n)) return false;
      Push(MakeInt(static_cast<int64_t>(n)));
      return true;
    case 'G':
      if (!Take("BINFLOAT", 8, &arg)) return false;
      Push(Make(Kind::kUnknown));
      return true;
    case 0x8a:  // LONG1
    case 0x8b: {
      bool one = op == 0x8a;
      if (!Counted(one ? "LONG1" : "LONG4", one ? 1 : 4, &arg)) return false;
      int64_t value = 0;
      if (arg.size() <= 7) {
        for (size_t i = 0; i < arg.size(); ++i) {
          value |= static_cast<int64_t>(static_cast<unsigned char>(arg[i])) << (8 * i);
        }
        if (!arg.empty() && (static_cast<unsigned char>(arg.back()) & 0x80)) {
          value -= int64_t{1} << (8 * arg.size());
        }
        Push(MakeInt(value));
      } else {
        Push(Make(Kind::kUnknown));
      }
      return true;
    }
    case 'S': {
      if (!Line("STRING", &arg)) return false;
      if (!arg.empty() && arg.back() == '\r') arg.remove_suffix(1);
      if (arg.size() < 2 || (arg.front() != '\'' && arg.front() != '"') ||
          arg.back() != arg.front()) {
        return Fail(op_offset_, "STRING at byte " + std::to_string(op_offset_) +
                                    " is not a quoted string literal");
      }
      Push(MakeText(Kind::kString, DecodeEscapes(arg.substr(1, arg.size() - 2))));
      return true;
    }
    case 'V':
      if (!Line("UNICODE", &arg)) return false;
      Push(MakeText(Kind::kString, DecodeRawUnicodeEscape(arg)));
      return true;
    case 'T':
      if (!Counted("BINSTRING", 4, &arg)) return false;
      Push(MakeText(Kind::kString, std::string(arg)));
      return true;
    case 'U':
      if (!Counted("SHORT_BINSTRING", 1, &arg)) return false;
      Push(MakeText(Kind::kString, std::string(arg)));
      return true;
    case 'X':
      if (!Counted("BINUNICODE", 4, &arg)) return false;
      Push(MakeText(Kind::kString, std::string(arg)));
      return true;
    case 0x8c:
      if (!Counted("SHORT_BINUNICODE", 1, &arg)) return false;
      Push(MakeText(Kind::kString, std::string(arg)));
      return true;
    case 0x8d:
      if (!Counted("BINUNICODE8", 8, &arg)) return false;
      Push(MakeText(Kind::kString, std::string(arg)));
      return true;
    case 'B':
      if (!Counted("BINBYTES", 4, &arg)) return false;
      Push(Make(Kind::kBytes));
      return true;
    case 'C':
      if (!Counted("SHORT_BINBYTES", 1, &arg)) return false;
      Push(Make(Kind::kBytes));
      return true;
    case 0x8e:
      if (!Counted("BINBYTES8", 8, &arg)) return false;
      Push(Make(Kind::kBytes));
      return true;
    case 0x96:
      if (!Counted("BYTEARRAY8", 8, &arg)) return false;
      Push(Make(Kind::kBytes));
      return true;
    case 0x97: Push(Make(Kind::kUnknown)); return true;  // NEXT_BUFFER
    case 0x98: return true;                              // READONLY_BUFFER
    case ')': Push(Container(Kind::kTuple)); return true;
    case 't': {
      ValuePtr t = Container(Kind::kTuple);
      t->items = PopMark();
      Push(t);
      return true;
    }
    case 0x85:
    case 0x86:
    case 0x87: {
      ValuePtr t = Container(Kind::kTuple);
      t->items.resize(op - 0x84);
      for (size_t i = t->items.size(); i-- > 0;) t->items[i] = Pop();
      Push(t);
      return true;
    }
    case ']': Push(Container(Kind::kList)); return true;
    case 'l': {
      ValuePtr list = Container(Kind::kList);
      list->items = PopMark();
      Push(list);
      return true;
    }
    case '}': Push(Container(Kind::kDict)); return true;
    case 'd': {
      ValuePtr dict = Container(Kind::kDict);
      dict->items = PopMark();
      if (dict->items.size() % 2 != 0) dict->items.pop_back();
      Push(dict);
      return true;
    }
    case 0x8f: Push(Make(Kind::kUnknown)); return true;  // EMPTY_SET
    case 0x90: PopMark(); return true;                   // ADDITEMS
    case 0x91:
      PopMark();
      Push(Make(Kind::kUnknown));  // FROZENSET
      return true;
    case 'a': {
      ValuePtr item = Pop();
      ValuePtr list = Top();
      if (list->kind == Kind::kList) list->items.push_back(item);
      return true;
    }
    case 'e': {
      std::vector<ValuePtr> items = PopMark();
      ValuePtr list = Top();
      if (list->kind == Kind::kList) {
        for (ValuePtr& item : items) list->items.push_back(std::move(item));
      }
      return true;
    }
    case 's': {
      ValuePtr value = Pop();
      ValuePtr key = Pop();
      ValuePtr dict = Top();
      if (dict->kind == Kind::kDict) {
        dict->items.push_back(key);
        dict->items.push_back(value);
      }
      return true;
    }
    case 'u': {
      std::vector<ValuePtr> items = PopMark();
      ValuePtr dict = Top();
      if (dict->kind == Kind::kDict) {
        for (size_t i = 0; i + 1 < items.size(); i += 2) {
          dict->items.push_back(items[i]);
          dict->items.push_back(items[i + 1]);
        }
      }
      return true;
    }
    case 'g':
      if (!Line("GET", &arg)) return false;
      Get(std::strtoull(std::string(arg).c_str(), nullptr, 10));
      return true;
    case 'h':
      if (!Unsigned("BINGET", 1, &n)) return false;
      Get(n);
      return true;
    case 'j':
      if (!Unsigned("LONG_BINGET", 4, &n)) return false;
      Get(n);
      return true;
    case 'p':
      if (!Line("PUT", &arg)) return false;
      Memo(std::strtoull(std::string(arg).c_str(), nullptr, 10));
      return true;
    case 'q':
      if (!Unsigned("BINPUT", 1, &n)) return false;
      Memo(n);
      return true;
    case 'r':
      if (!Unsigned("LONG_BINPUT", 4, &n)) return false;
      Memo(n);
      return true;
    case 0x94: Memo(memo_.size()); return true;  // MEMOIZE
    case 'P':
      if (!Line("PERSID", &arg)) return false;
      Push(Make(Kind::kUnknown));
      return true;
    case 'Q':
      Pop();
      Push(Make(Kind::kUnknown));  // BINPERSID
      return true;
    case 0x80:  // PROTO
      if (!Unsigned("PROTO", 1, &n)) return false;
      if (n > 5) {
        return Fail(op_offset_, "PROTO at byte " + std::to_string(op_offset_) +
                                    " announces unsupported protocol " + std::to_string(n));
      }
      out_->max_protocol = std::max(out_->max_protocol, static_cast<int>(n));
      return true;
    case 0x95:  // FRAME: only a length hint; opcodes continue inside the frame
      return Take("FRAME", 8, &arg);
    case 'c': {
      std::string module, name;
      if (!GlobalLines("GLOBAL", &module, &name)) return false;
      Push(Import(module, name, "GLOBAL", true));
      return true;
    }
    case 0x93: {  // STACK_GLOBAL
      ValuePtr name = Pop();
      ValuePtr module = Pop();
      bool resolved = name->kind == Kind::kString && module->kind == Kind::kString;
      Push(Import(resolved ? module->text : "?", resolved ? name->text : "?", "STACK_GLOBAL",
                  resolved));
      return true;
    }
    case 0x82:
    case 0x83:
    case 0x84: {  // EXT1, EXT2, EXT4: a global from the copyreg extension registry
      size_t width = op == 0x82 ? 1 : op == 0x83 ? 2 : 4;
      std::string opcode = op == 0x82 ? "EXT1" : op == 0x83 ? "EXT2" : "EXT4";
      if (!Unsigned(opcode, width, &n)) return false;
      Push(Import("copyreg-extension", std::to_string(n), opcode, false));
      return true;
    }
    case 'i': {  // INST: import and call at once
      std::string module, name;
      if (!GlobalLines("INST", &module, &name)) return false;
      ValuePtr cls = Import(module, name, "INST", true);
      Call("INST", cls);
      Push(Object(cls, PopMark()));
      return true;
    }
    case 'o': {  // OBJ
      std::vector<ValuePtr> items = PopMark();
      ValuePtr cls = items.empty() ? Make(Kind::kUnknown) : items.front();
      Call("OBJ", cls);
      if (!items.empty()) items.erase(items.begin());
      Push(Object(cls, std::move(items)));
      return true;
    }
    case 'R':
    case 0x81: {  // REDUCE, NEWOBJ
      ValuePtr args = Pop();
      ValuePtr callable = Pop();
      Call(op == 'R' ? "REDUCE" : "NEWOBJ", callable);
      Push(Object(callable, {args}));
      return true;
    }
    case 0x92: {  // NEWOBJ_EX
      ValuePtr kwargs = Pop();
      ValuePtr args = Pop();
      ValuePtr cls = Pop();
      Call("NEWOBJ_EX", cls);
      Push(Object(cls, {args, kwargs}));
      return true;
    }
    case 'b': {  // BUILD: obj.__setstate__(state) or a dict update
      ValuePtr state = Pop();
      ValuePtr object = Top();
      Call("BUILD", object);
      if (object->kind == Kind::kObject && state->kind == Kind::kDict &&
          object->text.ends_with("numpy_pickle.NumpyArrayWrapper")) {
        return SkipJoblibArray(state, depth);
      }
      return true;
    }
    default: break;
  }
  char hex[8];
  std::snprintf(hex, sizeof(hex), "0x%02x", op);
  return Fail(op_offset_,
              "unknown opcode " + std::string(hex) + " at byte " + std::to_string(op_offset_));
}

}  // namespace

PickleScan ScanPickle(std::string_view bytes) {
  PickleScan scan;
  Parser parser(bytes, &scan);
  bool has_proto = bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x80;
  int max_pickles = bytes.starts_with(kTorchLegacyMagic) ? kTorchLegacyPickles : 1 << 30;
  while (parser.pos() < bytes.size() && scan.pickles < max_pickles) {
    size_t start = parser.pos();
    size_t imports_before = scan.imports.size();
    size_t calls_before = scan.calls.size();
    parser.reset_saw_something();
    if (parser.ParseOne(0)) {
      ++scan.pickles;
      continue;
    }
    if (!parser.saw_something() && (scan.pickles > 0 || !has_proto)) {
      // No import before the error, so nothing loading it could run: not a pickle (or
      // trailing non-pickle data).
      scan.imports.resize(imports_before);
      scan.calls.resize(calls_before);
      parser.set_pos(start);
      break;
    }
    scan.error = parser.error();
    scan.error_offset = parser.error_offset();
    break;
  }
  scan.is_pickle = scan.pickles > 0 || !scan.error.empty();
  if (scan.error.empty()) scan.trailing_bytes = static_cast<int64_t>(bytes.size() - parser.pos());
  return scan;
}

}  // namespace probity::policy
