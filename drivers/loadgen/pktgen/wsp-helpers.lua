-- wirespeed's helpers inside pktgen's Lua state, sent once per session (lua-client.ts runs it with load()).
-- Replies go through io.write: pktgen binds only the io library's default files to the socket
-- (lib/lua/lua_socket.c); print() writes to pktgen's own terminal.

-- JSON text of a Lua value: tables become objects with string keys (port ids "0", "1" and names),
-- numbers keep Lua's integer/float form, NaN and infinities become null.
function wsp_json(v)
  local t = type(v)
  if t == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
      local x = v[k]
      if x == nil then x = v[tonumber(k)] end
      parts[#parts + 1] = wsp_json(k) .. ":" .. wsp_json(x)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return tostring(v)
  elseif t == "boolean" then
    return tostring(v)
  else
    return "null"
  end
end

-- Write one value as a JSON line.
function wsp_out(v)
  io.write(wsp_json(v), "\n")
end
