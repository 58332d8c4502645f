-- methods.lua -- Lua 5.4 twin of methods.toy (metatable "classes").
local Vec = {}
Vec.__index = Vec

function Vec.new(x, y)
    return setmetatable({x = x, y = y}, Vec)
end

function Vec:dot(other)
    return self.x * other.x + self.y * other.y
end

function Vec:add(other)
    return Vec.new(self.x + other.x, self.y + other.y)
end

local Counter = {}
Counter.__index = Counter

function Counter.new()
    return setmetatable({n = 0}, Counter)
end

function Counter:inc(k)
    self.n = self.n + k
    return self.n
end

function Counter:get()
    return self.n
end

local function main()
    local c = Counter.new()
    local a = Vec.new(1, 2)
    local b = Vec.new(3, 4)
    local total = 0
    for i = 0, 1999999 do
        total = total + a:dot(b)
        c:inc(i % 5)
        if i % 4 == 0 then
            total = total + a:add(b).y
        end
        a.x = i % 10
    end
    print(string.format("%d %d", total, c:get()))
end

main()
