<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16-Białowieża" hasScaleBasedVisibilityFlag="0" minScale="100000000" simplifyAlgorithm="0" simplifyMaxScale="1" simplifyDrawingHints="1" styleCategories="AllStyleCategories" simplifyDrawingTol="1" symbologyReferenceScale="-1" maxScale="0" labelsEnabled="1" readOnly="0" simplifyLocal="1">
 <flags>
  <Identifiable>1</Identifiable>
  <Removable>1</Removable>
  <Searchable>1</Searchable>
  <Private>0</Private>
 </flags>
 <temporal accumulate="0" mode="0" startExpression="" endExpression="" enabled="0" endField="" fixedDuration="0" durationUnit="min" durationField="" limitMode="0" startField="">
  <fixedRange>
   <start></start>
   <end></end>
  </fixedRange>
 </temporal>
 <renderer-v2 symbollevels="0" attr="status" forceraster="0" enableorderby="0" type="categorizedSymbol" referencescale="-1">
  <categories>
   <category symbol="0" label="运营中" value="operating" render="true"/>
   <category symbol="1" label="规划" value="planned" render="true"/>
  </categories>
  <symbols>
   <symbol clip_to_extent="1" force_rhr="0" name="0" alpha="1" type="marker">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer pass="0" enabled="1" class="SimpleMarker" locked="0">
     <Option type="Map">
      <Option name="angle" type="QString" value="0"/>
      <Option name="cap_style" type="QString" value="square"/>
      <Option name="color" type="QString" value="0,128,0,255"/>
      <Option name="horizontal_anchor_point" type="QString" value="1"/>
      <Option name="joinstyle" type="QString" value="bevel"/>
      <Option name="name" type="QString" value="square"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="0,0,0,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0"/>
      <Option name="outline_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="scale_method" type="QString" value="diameter"/>
      <Option name="size" type="QString" value="3"/>
      <Option name="size_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="size_unit" type="QString" value="MM"/>
      <Option name="vertical_anchor_point" type="QString" value="1"/>
     </Option>
     <prop k="angle" v="0"/>
     <prop k="cap_style" v="square"/>
     <prop k="color" v="0,128,0,255"/>
     <prop k="horizontal_anchor_point" v="1"/>
     <prop k="joinstyle" v="bevel"/>
     <prop k="name" v="square"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="0,0,0,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0"/>
     <prop k="outline_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="scale_method" v="diameter"/>
     <prop k="size" v="3"/>
     <prop k="size_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="size_unit" v="MM"/>
     <prop k="vertical_anchor_point" v="1"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
   <symbol clip_to_extent="1" force_rhr="0" name="1" alpha="1" type="marker">
    <data_defined_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </data_defined_properties>
    <layer pass="0" enabled="1" class="SimpleMarker" locked="0">
     <Option type="Map">
      <Option name="angle" type="QString" value="0"/>
      <Option name="cap_style" type="QString" value="square"/>
      <Option name="color" type="QString" value="255,165,0,255"/>
      <Option name="horizontal_anchor_point" type="QString" value="1"/>
      <Option name="joinstyle" type="QString" value="bevel"/>
      <Option name="name" type="QString" value="square"/>
      <Option name="offset" type="QString" value="0,0"/>
      <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="offset_unit" type="QString" value="MM"/>
      <Option name="outline_color" type="QString" value="0,0,0,255"/>
      <Option name="outline_style" type="QString" value="solid"/>
      <Option name="outline_width" type="QString" value="0"/>
      <Option name="outline_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="outline_width_unit" type="QString" value="MM"/>
      <Option name="scale_method" type="QString" value="diameter"/>
      <Option name="size" type="QString" value="3"/>
      <Option name="size_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
      <Option name="size_unit" type="QString" value="MM"/>
      <Option name="vertical_anchor_point" type="QString" value="1"/>
     </Option>
     <prop k="angle" v="0"/>
     <prop k="cap_style" v="square"/>
     <prop k="color" v="255,165,0,255"/>
     <prop k="horizontal_anchor_point" v="1"/>
     <prop k="joinstyle" v="bevel"/>
     <prop k="name" v="square"/>
     <prop k="offset" v="0,0"/>
     <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="offset_unit" v="MM"/>
     <prop k="outline_color" v="0,0,0,255"/>
     <prop k="outline_style" v="solid"/>
     <prop k="outline_width" v="0"/>
     <prop k="outline_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="outline_width_unit" v="MM"/>
     <prop k="scale_method" v="diameter"/>
     <prop k="size" v="3"/>
     <prop k="size_map_unit_scale" v="3x:0,0,0,0,0,0"/>
     <prop k="size_unit" v="MM"/>
     <prop k="vertical_anchor_point" v="1"/>
     <data_defined_properties>
      <Option type="Map">
       <Option name="name" type="QString" value=""/>
       <Option name="properties"/>
       <Option name="type" type="QString" value="collection"/>
      </Option>
     </data_defined_properties>
    </layer>
   </symbol>
  </symbols>
  <rotation/>
  <sizescale/>
 </renderer-v2>
 <labeling type="simple">
  <settings calloutType="simple">
   <text-style fontStrikeout="0" fontWordSpacing="0" allowHtml="0" capitalization="0" fontSizeMapUnitScale="3x:0,0,0,0,0,0" fontFamily="DejaVu LGC Sans" fontLetterSpacing="0" fontKerning="1" textOrientation="horizontal" blendMode="0" fontItalic="0" isExpression="0" legendString="Aa" textColor="0,0,255,255" fieldName="host_city" fontSize="12" previewBkgrdColor="255,255,255,255" fontWeight="50" textOpacity="1" multilineHeight="1" fontUnderline="0" fontSizeUnit="Point" namedStyle="" useSubstitutions="0">
    <families/>
    <text-buffer bufferNoFill="1" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferJoinStyle="128" bufferOpacity="1" bufferDraw="0" bufferSize="1" bufferBlendMode="0" bufferSizeMapUnitScale="3x:0,0,0,0,0,0"/>
    <text-mask maskType="0" maskSize="1.5" maskOpacity="1" maskSizeUnits="MM" maskedSymbolLayers="" maskEnabled="0" maskSizeMapUnitScale="3x:0,0,0,0,0,0" maskJoinStyle="128"/>
    <background shapeOpacity="1" shapeOffsetY="0" shapeRadiiX="0" shapeBorderColor="128,128,128,255" shapeSizeType="0" shapeRotation="0" shapeSVGFile="" shapeSizeX="0" shapeType="0" shapeOffsetUnit="MM" shapeRadiiUnit="MM" shapeFillColor="255,255,255,255" shapeDraw="0" shapeRadiiY="0" shapeSizeUnit="MM" shapeBorderWidthMapUnitScale="3x:0,0,0,0,0,0" shapeRotationType="0" shapeBorderWidthUnit="MM" shapeJoinStyle="64" shapeSizeY="0" shapeRadiiMapUnitScale="3x:0,0,0,0,0,0" shapeBorderWidth="0" shapeSizeMapUnitScale="3x:0,0,0,0,0,0" shapeOffsetX="0" shapeBlendMode="0" shapeOffsetMapUnitScale="3x:0,0,0,0,0,0">
     <symbol clip_to_extent="1" force_rhr="0" name="fillSymbol" alpha="1" type="fill">
      <data_defined_properties>
       <Option type="Map">
        <Option name="name" type="QString" value=""/>
        <Option name="properties"/>
        <Option name="type" type="QString" value="collection"/>
       </Option>
      </data_defined_properties>
      <layer pass="0" enabled="1" class="SimpleFill" locked="0">
       <Option type="Map">
        <Option name="border_width_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
        <Option name="color" type="QString" value="255,255,255,255"/>
        <Option name="joinstyle" type="QString" value="bevel"/>
        <Option name="offset" type="QString" value="0,0"/>
        <Option name="offset_map_unit_scale" type="QString" value="3x:0,0,0,0,0,0"/>
        <Option name="offset_unit" type="QString" value="MM"/>
        <Option name="outline_color" type="QString" value="128,128,128,255"/>
        <Option name="outline_style" type="QString" value="no"/>
        <Option name="outline_width" type="QString" value="0"/>
        <Option name="outline_width_unit" type="QString" value="MM"/>
        <Option name="style" type="QString" value="solid"/>
       </Option>
       <prop k="border_width_map_unit_scale" v="3x:0,0,0,0,0,0"/>
       <prop k="color" v="255,255,255,255"/>
       <prop k="joinstyle" v="bevel"/>
       <prop k="offset" v="0,0"/>
       <prop k="offset_map_unit_scale" v="3x:0,0,0,0,0,0"/>
       <prop k="offset_unit" v="MM"/>
       <prop k="outline_color" v="128,128,128,255"/>
       <prop k="outline_style" v="no"/>
       <prop k="outline_width" v="0"/>
       <prop k="outline_width_unit" v="MM"/>
       <prop k="style" v="solid"/>
       <data_defined_properties>
        <Option type="Map">
         <Option name="name" type="QString" value=""/>
         <Option name="properties"/>
         <Option name="type" type="QString" value="collection"/>
        </Option>
       </data_defined_properties>
      </layer>
     </symbol>
    </background>
    <shadow shadowOpacity="0.69999999999999996" shadowUnder="0" shadowRadiusAlphaOnly="0" shadowOffsetDist="1" shadowDraw="0" shadowColor="0,0,0,255" shadowRadiusUnit="MM" shadowScale="100" shadowBlendMode="6" shadowOffsetAngle="135" shadowOffsetMapUnitScale="3x:0,0,0,0,0,0" shadowRadiusMapUnitScale="3x:0,0,0,0,0,0" shadowOffsetGlobal="1" shadowRadius="1.5" shadowOffsetUnit="MM"/>
    <dd_properties>
     <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
    </dd_properties>
    <substitutions/>
   </text-style>
   <text-format plussign="0" wrapChar="" addDirectionSymbol="0" leftDirectionSymbol="&lt;" reverseDirectionSymbol="0" multilineAlign="3" rightDirectionSymbol=">" formatNumbers="0" useMaxLineLengthForAutoWrap="1" decimals="3" autoWrapLength="0" placeDirectionSymbol="0"/>
   <placement placementFlags="10" distUnits="MM" rotationAngle="0" fitInPolygonOnly="0" quadOffset="4" labelOffsetMapUnitScale="3x:0,0,0,0,0,0" overrunDistance="0" overrunDistanceUnit="MM" preserveRotation="1" yOffset="0" offsetType="0" lineAnchorClipping="0" centroidInside="0" placement="0" centroidWhole="0" rotationUnit="AngleDegrees" overrunDistanceMapUnitScale="3x:0,0,0,0,0,0" lineAnchorType="0" repeatDistanceMapUnitScale="3x:0,0,0,0,0,0" layerType="UnknownGeometry" maxCurvedCharAngleIn="25" predefinedPositionOrder="TR,TL,BR,BL,R,L,TSR,BSR" polygonPlacementFlags="2" maxCurvedCharAngleOut="-25" distMapUnitScale="3x:0,0,0,0,0,0" repeatDistanceUnits="MM" offsetUnits="MM" priority="5" geometryGeneratorEnabled="0" geometryGeneratorType="PointGeometry" repeatDistance="0" dist="0" xOffset="0" geometryGenerator="" lineAnchorPercent="0.5"/>
   <rendering obstacle="1" maxNumLabels="2000" scaleMin="0" scaleMax="0" scaleVisibility="0" drawLabels="1" unplacedVisibility="0" zIndex="0" upsidedownLabels="0" mergeLines="0" fontMinPixelSize="0" fontMaxPixelSize="10000" labelPerPart="0" displayAll="0" minFeatureSize="0" limitNumLabels="0" obstacleType="1" fontLimitPixelSize="0" obstacleFactor="1"/>
   <dd_properties>
    <Option type="Map">
     <Option name="name" type="QString" value=""/>
     <Option name="properties"/>
     <Option name="type" type="QString" value="collection"/>
    </Option>
   </dd_properties>
   <callout type="simple">
    <Option type="Map">
     <Option name="anchorPoint" type="QString" value="pole_of_inaccessibility"/>
     <Option name="blendMode" type="int" value="0"/>
     <Option name="ddProperties" type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
     </Option>
     <Option name="drawToAllParts" type="bool" value="false"/>
     <Option name="enabled" type="QString" value="0"/>
     <Option name="labelAnchorPoint" type="QString" value="point_on_exterior"/>
     <Option name="lineSymbol" type="QString" value="&lt;symbol clip_to_extent=&quot;1&quot; force_rhr=&quot;0&quot; name=&quot;symbol&quot; alpha=&quot;1&quot; type=&quot;line&quot;>&lt;data_defined_properties>&lt;Option type=&quot;Map&quot;>&lt;Option name=&quot;name&quot; type=&quot;QString&quot; value=&quot;&quot;/>&lt;Option name=&quot;properties&quot;/>&lt;Option name=&quot;type&quot; type=&quot;QString&quot; value=&quot;collection&quot;/>&lt;/Option>&lt;/data_defined_properties>&lt;layer pass=&quot;0&quot; enabled=&quot;1&quot; class=&quot;SimpleLine&quot; locked=&quot;0&quot;>&lt;Option type=&quot;Map&quot;>&lt;Option name=&quot;align_dash_pattern&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;capstyle&quot; type=&quot;QString&quot; value=&quot;square&quot;/>&lt;Option name=&quot;customdash&quot; type=&quot;QString&quot; value=&quot;5;2&quot;/>&lt;Option name=&quot;customdash_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;customdash_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;dash_pattern_offset&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;dash_pattern_offset_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;dash_pattern_offset_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;draw_inside_polygon&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;joinstyle&quot; type=&quot;QString&quot; value=&quot;bevel&quot;/>&lt;Option name=&quot;line_color&quot; type=&quot;QString&quot; value=&quot;60,60,60,255&quot;/>&lt;Option name=&quot;line_style&quot; type=&quot;QString&quot; value=&quot;solid&quot;/>&lt;Option name=&quot;line_width&quot; type=&quot;QString&quot; value=&quot;0.3&quot;/>&lt;Option name=&quot;line_width_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;offset&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;offset_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;offset_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;ring_filter&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;trim_distance_end&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;trim_distance_end_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;trim_distance_end_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;trim_distance_start&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;trim_distance_start_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;Option name=&quot;trim_distance_start_unit&quot; type=&quot;QString&quot; value=&quot;MM&quot;/>&lt;Option name=&quot;tweak_dash_pattern_on_corners&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;use_custom_dash&quot; type=&quot;QString&quot; value=&quot;0&quot;/>&lt;Option name=&quot;width_map_unit_scale&quot; type=&quot;QString&quot; value=&quot;3x:0,0,0,0,0,0&quot;/>&lt;/Option>&lt;prop k=&quot;align_dash_pattern&quot; v=&quot;0&quot;/>&lt;prop k=&quot;capstyle&quot; v=&quot;square&quot;/>&lt;prop k=&quot;customdash&quot; v=&quot;5;2&quot;/>&lt;prop k=&quot;customdash_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;customdash_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;dash_pattern_offset&quot; v=&quot;0&quot;/>&lt;prop k=&quot;dash_pattern_offset_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;dash_pattern_offset_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;draw_inside_polygon&quot; v=&quot;0&quot;/>&lt;prop k=&quot;joinstyle&quot; v=&quot;bevel&quot;/>&lt;prop k=&quot;line_color&quot; v=&quot;60,60,60,255&quot;/>&lt;prop k=&quot;line_style&quot; v=&quot;solid&quot;/>&lt;prop k=&quot;line_width&quot; v=&quot;0.3&quot;/>&lt;prop k=&quot;line_width_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;offset&quot; v=&quot;0&quot;/>&lt;prop k=&quot;offset_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;offset_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;ring_filter&quot; v=&quot;0&quot;/>&lt;prop k=&quot;trim_distance_end&quot; v=&quot;0&quot;/>&lt;prop k=&quot;trim_distance_end_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;trim_distance_end_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;trim_distance_start&quot; v=&quot;0&quot;/>&lt;prop k=&quot;trim_distance_start_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;prop k=&quot;trim_distance_start_unit&quot; v=&quot;MM&quot;/>&lt;prop k=&quot;tweak_dash_pattern_on_corners&quot; v=&quot;0&quot;/>&lt;prop k=&quot;use_custom_dash&quot; v=&quot;0&quot;/>&lt;prop k=&quot;width_map_unit_scale&quot; v=&quot;3x:0,0,0,0,0,0&quot;/>&lt;data_defined_properties>&lt;Option type=&quot;Map&quot;>&lt;Option name=&quot;name&quot; type=&quot;QString&quot; value=&quot;&quot;/>&lt;Option name=&quot;properties&quot;/>&lt;Option name=&quot;type&quot; type=&quot;QString&quot; value=&quot;collection&quot;/>&lt;/Option>&lt;/data_defined_properties>&lt;/layer>&lt;/symbol>"/>
     <Option name="minLength" type="double" value="0"/>
     <Option name="minLengthMapUnitScale" type="QString" value="3x:0,0,0,0,0,0"/>
     <Option name="minLengthUnit" type="QString" value="MM"/>
     <Option name="offsetFromAnchor" type="double" value="0"/>
     <Option name="offsetFromAnchorMapUnitScale" type="QString" value="3x:0,0,0,0,0,0"/>
     <Option name="offsetFromAnchorUnit" type="QString" value="MM"/>
     <Option name="offsetFromLabel" type="double" value="0"/>
     <Option name="offsetFromLabelMapUnitScale" type="QString" value="3x:0,0,0,0,0,0"/>
     <Option name="offsetFromLabelUnit" type="QString" value="MM"/>
    </Option>
   </callout>
  </settings>
 </labeling>
 <customproperties>
  <Option/>
 </customproperties>
 <blendMode>0</blendMode>
 <featureBlendMode>0</featureBlendMode>
 <layerOpacity>0.8</layerOpacity>
 <geometryOptions geometryPrecision="0" removeDuplicateNodes="0">
  <activeChecks/>
  <checkConfiguration/>
 </geometryOptions>
 <legend showLabelLegend="0" type="default-vector"/>
 <referencedLayers/>
 <fieldConfiguration>
  <field configurationFlags="None" name="fid">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="name">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="host_city">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="host_district">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="origin_city">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="origin_county">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="enclave_type">
   <editWidget type="ValueMap">
    <config>
     <Option type="Map">
      <Option name="map" type="List">
       <Option type="Map">
        <Option name="科创飞地" type="QString" value="science"/>
       </Option>
       <Option type="Map">
        <Option name="产业飞地" type="QString" value="industry"/>
       </Option>
      </Option>
     </Option>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="status">
   <editWidget type="ValueMap">
    <config>
     <Option type="Map">
      <Option name="map" type="List">
       <Option type="Map">
        <Option name="规划中" type="QString" value="planned"/>
       </Option>
       <Option type="Map">
        <Option name="已运营" type="QString" value="operating"/>
       </Option>
      </Option>
     </Option>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="year_opened">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="in_target">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
  <field configurationFlags="None" name="source">
   <editWidget type="">
    <config>
     <Option/>
    </config>
   </editWidget>
  </field>
 </fieldConfiguration>
 <aliases>
  <alias index="0" name="" field="fid"/>
  <alias index="1" name="名称" field="name"/>
  <alias index="2" name="所在城市" field="host_city"/>
  <alias index="3" name="所在区县" field="host_district"/>
  <alias index="4" name="来源地" field="origin_city"/>
  <alias index="5" name="" field="origin_county"/>
  <alias index="6" name="类型" field="enclave_type"/>
  <alias index="7" name="状态" field="status"/>
  <alias index="8" name="设立年份" field="year_opened"/>
  <alias index="9" name="" field="in_target"/>
  <alias index="10" name="来源" field="source"/>
 </aliases>
 <defaults>
  <default applyOnUpdate="0" expression="" field="fid"/>
  <default applyOnUpdate="0" expression="" field="name"/>
  <default applyOnUpdate="0" expression="" field="host_city"/>
  <default applyOnUpdate="0" expression="" field="host_district"/>
  <default applyOnUpdate="0" expression="" field="origin_city"/>
  <default applyOnUpdate="0" expression="" field="origin_county"/>
  <default applyOnUpdate="0" expression="" field="enclave_type"/>
  <default applyOnUpdate="0" expression="" field="status"/>
  <default applyOnUpdate="0" expression="" field="year_opened"/>
  <default applyOnUpdate="0" expression="" field="in_target"/>
  <default applyOnUpdate="0" expression="" field="source"/>
 </defaults>
 <constraints>
  <constraint unique_strength="1" exp_strength="0" notnull_strength="1" field="fid" constraints="3"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="name" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="host_city" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="host_district" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="origin_city" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="origin_county" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="enclave_type" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="status" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="year_opened" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="in_target" constraints="0"/>
  <constraint unique_strength="0" exp_strength="0" notnull_strength="0" field="source" constraints="0"/>
 </constraints>
 <constraintExpressions>
  <constraint desc="" field="fid" exp=""/>
  <constraint desc="" field="name" exp=""/>
  <constraint desc="" field="host_city" exp=""/>
  <constraint desc="" field="host_district" exp=""/>
  <constraint desc="" field="origin_city" exp=""/>
  <constraint desc="" field="origin_county" exp=""/>
  <constraint desc="" field="enclave_type" exp=""/>
  <constraint desc="" field="status" exp=""/>
  <constraint desc="" field="year_opened" exp=""/>
  <constraint desc="" field="in_target" exp=""/>
  <constraint desc="" field="source" exp=""/>
 </constraintExpressions>
 <expressionfields/>
 <attributeactions/>
 <attributetableconfig actionWidgetStyle="dropDown" sortExpression="" sortOrder="0">
  <columns/>
 </attributetableconfig>
 <conditionalstyles>
  <rowstyles/>
  <fieldstyles/>
 </conditionalstyles>
 <storedexpressions/>
 <editform tolerant="1"></editform>
 <editforminit/>
 <editforminitcodesource>0</editforminitcodesource>
 <editforminitfilepath></editforminitfilepath>
 <editforminitcode><![CDATA[]]></editforminitcode>
 <featformsuppress>0</featformsuppress>
 <editorlayout>generatedlayout</editorlayout>
 <editable/>
 <labelOnTop/>
 <reuseLastValue/>
 <dataDefinedFieldProperties/>
 <widgets/>
 <previewExpression></previewExpression>
 <mapTip></mapTip>
 <layerGeometryType>0</layerGeometryType>
</qgis>
