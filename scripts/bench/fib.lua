-- fib.lua -- Lua 5.4 twin of fib.toy.
local function fib(n)
    if n < 2 then
        return n
    end
    return fib(n - 1) + fib(n - 2)
end

local r = 0
for k = 0, 2 do
    r = fib(30)
end
print(r)
