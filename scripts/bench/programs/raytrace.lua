-- raytrace.lua -- Lua 5.4 twin of raytrace.toy: Vector with __add, __sub and
-- __mul metamethods, the classes as metatables.
-- usage: raytrace.lua [N]
local sqrt = math.sqrt
local EPSILON = 1e-9
local MAX_DEPTH = 2

local Vector = {}
Vector.__index = Vector
local function vec(x, y, z)
    return setmetatable({x = x, y = y, z = z}, Vector)
end
Vector.__add = function(a, o) return vec(a.x + o.x, a.y + o.y, a.z + o.z) end
Vector.__sub = function(a, o) return vec(a.x - o.x, a.y - o.y, a.z - o.z) end
Vector.__mul = function(a, k) return vec(a.x * k, a.y * k, a.z * k) end
function Vector:times(o) return vec(self.x * o.x, self.y * o.y, self.z * o.z) end
function Vector:dot(o) return self.x * o.x + self.y * o.y + self.z * o.z end
function Vector:normalized() return self * (1.0 / sqrt(self:dot(self))) end

local Ray = {}
Ray.__index = Ray
local function ray(origin, direction)
    return setmetatable({origin = origin, direction = direction}, Ray)
end
function Ray:at(t) return self.origin + self.direction * t end

local Sphere = {}
Sphere.__index = Sphere
local function sphere(center, radius, color, reflect)
    return setmetatable({center = center, radius = radius, color = color,
                         reflect = reflect}, Sphere)
end
function Sphere:hit(r)
    local oc = r.origin - self.center
    local b = oc:dot(r.direction)
    local c = oc:dot(oc) - self.radius * self.radius
    local disc = b * b - c
    if disc < 0.0 then return nil end
    local s = sqrt(disc)
    local t = -b - s
    if t > EPSILON then return t end
    t = -b + s
    if t > EPSILON then return t end
    return nil
end
function Sphere:normal(p) return (p - self.center):normalized() end

local Scene = {}
Scene.__index = Scene
local function scene()
    return setmetatable({
        spheres = {
            sphere(vec(0.0, -1001.0, 5.0), 1000.0, vec(0.8, 0.8, 0.7), 0.2),
            sphere(vec(-1.2, 0.0, 5.0), 1.0, vec(0.9, 0.2, 0.2), 0.3),
            sphere(vec(1.0, -0.3, 4.2), 0.7, vec(0.2, 0.8, 0.3), 0.5),
            sphere(vec(0.2, 1.1, 6.5), 1.2, vec(0.2, 0.3, 0.9), 0.1),
            sphere(vec(-0.3, -0.7, 3.4), 0.3, vec(0.9, 0.9, 0.2), 0.0),
        },
        light = vec(-4.0, 6.0, -2.0),
        background = vec(0.1, 0.15, 0.3),
    }, Scene)
end
function Scene:nearest(r)
    local best, best_t = nil, 0.0
    for _, s in ipairs(self.spheres) do
        local t = s:hit(r)
        if t ~= nil and (best == nil or t < best_t) then
            best, best_t = s, t
        end
    end
    return best, best_t
end
function Scene:shadowed(p, to_light, dist)
    local r = ray(p, to_light)
    for _, s in ipairs(self.spheres) do
        local t = s:hit(r)
        if t ~= nil and t < dist then return true end
    end
    return false
end
function Scene:trace(r, depth)
    local obj, t = self:nearest(r)
    if obj == nil then return self.background end
    local p = r:at(t)
    local n = obj:normal(p)
    p = p + n * 0.0001
    local d = self.light - p
    local dist = sqrt(d:dot(d))
    local to_light = d * (1.0 / dist)
    local diffuse = n:dot(to_light)
    if diffuse < 0.0 or self:shadowed(p, to_light, dist) then diffuse = 0.0 end
    local color = obj.color * (0.15 + 0.85 * diffuse)
    if obj.reflect > 0.0 and depth < MAX_DEPTH then
        local rd = r.direction - n * (2.0 * r.direction:dot(n))
        local bounced = self:trace(ray(p, rd), depth + 1)
        color = color * (1.0 - obj.reflect) + bounced:times(obj.color) * obj.reflect
    end
    return color
end

local function channel(v)
    if v < 0.0 then v = 0.0 elseif v > 1.0 then v = 1.0 end
    return math.floor(v * 255.0 + 0.5)
end

local function render(sc, n)
    local eye = vec(0.0, 0.0, 0.0)
    local total, checksum = 0, 0
    for y = 0, n - 1 do
        for x = 0, n - 1 do
            local d = vec((x - n / 2) / n, (n / 2 - y) / n, 1.0):normalized()
            local c = sc:trace(ray(eye, d), 0)
            for _, v in ipairs({channel(c.x), channel(c.y), channel(c.z)}) do
                total = total + v
                checksum = (checksum * 31 + v) % 1000000007
            end
        end
    end
    return total, checksum
end

local n = tonumber(arg[1]) or 200
local total, checksum = render(scene(), n)
print(string.format("%dx%d pixels: sum %d, checksum %d", n, n, total, checksum))
